from django.urls import path

from tertulia.insights import alert_views, department_views, schedule_views, views

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
    # Department dashboards and business data (department_views.py).
    path(f"{brand}/insights/marketing/", department_views.marketing, name="marketing"),
    path(f"{brand}/insights/marketing/chart.csv", department_views.marketing_csv,
         name="marketing_csv"),
    path(f"{brand}/insights/sales/", department_views.sales, name="sales"),
    path(f"{brand}/insights/sales/chart.csv", department_views.sales_csv, name="sales_csv"),
    path(f"{brand}/insights/service/", department_views.service, name="service"),
    path(f"{brand}/insights/service/chart.csv", department_views.service_csv,
         name="service_csv"),
    path(f"{brand}/insights/business/", department_views.business, name="business"),
    path(f"{brand}/insights/business/chart.csv", department_views.business_csv,
         name="business_csv"),
    path(f"{brand}/insights/business/import/", department_views.business_import,
         name="business_import"),
    path(f"{brand}/insights/business/import/confirm/", department_views.business_import_commit,
         name="business_import_commit"),
    path(f"{brand}/insights/business/imports/<int:import_id>/",
         department_views.business_import_detail, name="business_import_detail"),
    path(f"{brand}/insights/business/imports/<int:import_id>/errors.csv",
         department_views.business_import_errors, name="business_import_errors"),
    # Alerts and the crisis room (alert_views.py).
    path(f"{brand}/alerts/", alert_views.alert_list, name="alerts"),
    path(f"{brand}/alerts/email/", alert_views.alert_subscription, name="alert_subscription"),
    path(f"{brand}/alerts/webhooks/", alert_views.alert_webhooks, name="alert_webhooks"),
    path(f"{brand}/alerts/webhooks/<int:webhook_id>/delete/",
         alert_views.alert_webhook_delete, name="alert_webhook_delete"),
    path(f"{brand}/alerts/<int:alert_id>/", alert_views.alert_room, name="alert_room"),
    path(f"{brand}/alerts/<int:alert_id>/act/", alert_views.alert_act, name="alert_act"),
    path(f"{brand}/alerts/<int:alert_id>/export.xlsx", alert_views.alert_export,
         name="alert_export"),
    path(f"{brand}/alerts/<int:alert_id>/export.pdf", alert_views.alert_export_pdf,
         name="alert_export_pdf"),
    # Scheduled and shared reports (schedule_views.py).
    path(f"{brand}/reports/schedules/", schedule_views.schedules, name="report_schedules"),
    path(f"{brand}/reports/schedules/<int:schedule_id>/delete/",
         schedule_views.schedule_delete, name="report_schedule_delete"),
    path(f"{brand}/reports/<int:report_id>/share/", schedule_views.report_share,
         name="report_share"),
    path("shared/reports/<str:share_token>/", schedule_views.shared_report,
         name="shared_report"),
]
