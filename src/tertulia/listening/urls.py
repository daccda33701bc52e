from django.urls import path

from tertulia.listening import views

app_name = "listening"
brand = "o/<slug:org_slug>/b/<slug:brand_slug>"

urlpatterns = [
    path(f"{brand}/listen/", views.stream, name="stream"),
    path(f"{brand}/listen/export.csv", views.export, name="export"),
    path(f"{brand}/queries/", views.queries, name="queries"),
    path(f"{brand}/queries/new/", views.query_new, name="query_new"),
    path(f"{brand}/queries/<int:query_id>/", views.query_edit, name="query_edit"),
    path(f"{brand}/queries/validate/", views.query_validate, name="query_validate"),
]
