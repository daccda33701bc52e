from django.urls import path

from tertulia.insights import views

app_name = "insights"
org = "o/<slug:org_slug>"
brand = f"{org}/b/<slug:brand_slug>"

urlpatterns = [
    path(f"{org}/insights/", views.executive, name="executive"),
    path(f"{org}/insights/chart.csv", views.executive_csv, name="executive_csv"),
    path(f"{brand}/insights/", views.pr, name="pr"),
    path(f"{brand}/insights/chart.csv", views.pr_csv, name="pr_csv"),
    path(f"{brand}/reports/", views.reports, name="reports"),
    path(f"{brand}/reports/<int:report_id>/download/", views.report_download,
         name="report_download"),
]
