from django.urls import path

from tertulia.networks import views

app_name = "networks"
org = "o/<slug:org_slug>"
source = f"{org}/settings/sources/<int:source_id>"

urlpatterns = [
    path("hooks/<str:token>/", views.inbound_webhook, name="inbound_webhook"),
    path(f"{org}/settings/sources/", views.sources, name="sources"),
    path(f"{org}/settings/sources/feeds/", views.feed_create, name="feed_create"),
    path(f"{org}/settings/sources/webhooks/", views.webhook_create, name="webhook_create"),
    path(f"{source}/pause/", views.source_pause, name="source_pause"),
    path(f"{source}/resume/", views.source_resume, name="source_resume"),
    path(f"{source}/delete/", views.source_delete, name="source_delete"),
    path(f"{source}/rotate-secret/", views.webhook_rotate, name="webhook_rotate"),
]
