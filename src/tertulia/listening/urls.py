from django.urls import path

from tertulia.listening import import_views, views

app_name = "listening"
brand = "o/<slug:org_slug>/b/<slug:brand_slug>"

urlpatterns = [
    path(f"{brand}/listen/", views.stream, name="stream"),
    path(f"{brand}/listen/export.csv", views.export, name="export"),
    path(f"{brand}/listen/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path(f"{brand}/listen/live/", views.live, name="live"),
    path(f"{brand}/listen/bulk/", views.bulk, name="bulk"),
    path(f"{brand}/mentions/<int:mention_id>/", views.mention, name="mention"),
    path(f"{brand}/mentions/<int:mention_id>/correct/", views.correct, name="correct"),
    path(f"{brand}/queries/preview/", views.query_preview, name="query_preview"),
    path(f"{brand}/queries/", views.queries, name="queries"),
    path(f"{brand}/queries/new/", views.query_new, name="query_new"),
    path(f"{brand}/queries/<int:query_id>/", views.query_edit, name="query_edit"),
    path(f"{brand}/queries/validate/", views.query_validate, name="query_validate"),
    path(f"{brand}/queries/corrections.jsonl", views.corrections_export,
         name="corrections_export"),
    path("o/<slug:org_slug>/import/", import_views.imports, name="imports"),
    path("o/<slug:org_slug>/import/<int:job_id>/", import_views.import_job, name="import_job"),
    path("o/<slug:org_slug>/import/<int:job_id>/errors.csv", import_views.import_errors,
         name="import_errors"),
    path("o/<slug:org_slug>/import/<int:job_id>/again/", import_views.import_rerun,
         name="import_rerun"),
]
