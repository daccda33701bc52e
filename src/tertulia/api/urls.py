from django.urls import path

from tertulia.api import views

app_name = "api_tokens"
org = "o/<slug:org_slug>"

urlpatterns = [
    path(f"{org}/account/tokens/", views.tokens, name="tokens"),
    path(f"{org}/account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
