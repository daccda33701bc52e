from django.urls import path

from tertulia.cases import views

app_name = "cases"
org = "o/<slug:org_slug>"
conv = f"{org}/inbox/c/<int:conversation_id>"
brand = f"{org}/b/<slug:brand_slug>"

urlpatterns = [
    path(f"{org}/cases/", views.case_list_all, name="cases_all"),
    path(f"{conv}/case/", views.open_case, name="open_case"),
    path(f"{conv}/lead/", views.open_lead, name="open_lead"),
    path(f"{conv}/promote/", views.promote, name="promote"),
    path(f"{conv}/kb/", views.kb_suggest, name="kb_suggest"),
    path(f"{brand}/cases/", views.case_list, name="cases"),
    path(f"{brand}/cases/<int:case_id>/", views.case_detail, name="case"),
    path(f"{brand}/cases/<int:case_id>/update/", views.case_update, name="case_update"),
    path(f"{brand}/cases/satisfaction/", views.csat_report, name="csat"),
    path(f"{brand}/cases/satisfaction/settings/", views.survey_settings,
         name="survey_settings"),
    path(f"{brand}/leads/", views.lead_list, name="leads"),
    path(f"{brand}/leads/export.csv", views.lead_export, name="lead_export"),
    path(f"{brand}/leads/<int:lead_id>/", views.lead_detail, name="lead"),
    path(f"{brand}/leads/<int:lead_id>/update/", views.lead_update, name="lead_update"),
    path(f"{brand}/kb/", views.kb_list, name="kb"),
    path(f"{brand}/kb/new/", views.article_new, name="article_new"),
    path(f"{brand}/kb/<int:article_id>/", views.article_detail, name="article"),
    path(f"{brand}/kb/<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path(f"{brand}/kb/<int:article_id>/delete/", views.article_delete, name="article_delete"),
    path("help/<slug:org_slug>/<slug:brand_slug>/<int:article_id>/", views.public_article,
         name="public_article"),
    path("survey/<str:token>/", views.survey, name="survey"),
]
