from django.urls import path

from tertulia.governance import views

app_name = "governance"

org = "o/<slug:org_slug>"
brand = f"{org}/b/<slug:brand_slug>"

urlpatterns = [
    path("", views.home, name="home"),
    path("account/language/", views.set_language, name="set_language"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path(f"{org}/", views.overview, name="overview"),
    path(f"{org}/settings/", views.org_settings, name="org_settings"),
    path(f"{org}/settings/brands/", views.brands, name="brands"),
    path(f"{org}/settings/brands/new/", views.brand_create, name="brand_create"),
    path(f"{brand}/settings/", views.brand_settings, name="brand_settings"),
    path(f"{brand}/settings/accounts/", views.account_add, name="account_add"),
    path(f"{brand}/settings/accounts/<int:account_id>/remove/", views.account_remove,
         name="account_remove"),
    path(f"{brand}/settings/competitors/", views.competitor_add, name="competitor_add"),
    path(f"{brand}/settings/competitors/<int:competitor_id>/remove/", views.competitor_remove,
         name="competitor_remove"),
    path(f"{org}/settings/teams/", views.teams, name="teams"),
    path(f"{org}/settings/teams/new/", views.team_create, name="team_create"),
    path(f"{org}/settings/teams/<int:team_id>/", views.team, name="team"),
    path(f"{org}/settings/teams/<int:team_id>/edit/", views.team_update, name="team_update"),
    path(f"{org}/settings/teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path(f"{org}/settings/teams/<int:team_id>/members/", views.team_member_add,
         name="team_member_add"),
    path(f"{org}/settings/teams/<int:team_id>/members/<int:user_id>/remove/",
         views.team_member_remove, name="team_member_remove"),
    path(f"{org}/settings/people/", views.people, name="people"),
    path(f"{org}/settings/people/invite/", views.invite, name="invite"),
    path(f"{org}/settings/invitations/<int:invitation_id>/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path(f"{org}/settings/people/<int:user_id>/", views.person, name="person"),
    path(f"{org}/settings/people/<int:user_id>/roles/", views.person_role_add,
         name="person_role_add"),
    path(f"{org}/settings/people/<int:user_id>/roles/<int:membership_id>/remove/",
         views.person_role_remove, name="person_role_remove"),
    path(f"{org}/settings/people/<int:user_id>/deactivate/", views.person_deactivate,
         name="person_deactivate"),
    path(f"{org}/settings/people/<int:user_id>/reactivate/", views.person_reactivate,
         name="person_reactivate"),
    path(f"{org}/settings/agencies/", views.agencies, name="agencies"),
    path(f"{org}/settings/agencies/<int:grant_id>/revoke/", views.agency_revoke,
         name="agency_revoke"),
    path(f"{org}/settings/roles/", views.roles, name="roles"),
    path(f"{org}/settings/audit/", views.audit, name="audit"),
    path(f"{org}/settings/audit/export.csv", views.audit_export, name="audit_export"),
]
