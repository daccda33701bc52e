from django.urls import include, path

from tertulia.api.router import api

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("", include("tertulia.web.urls")),
    path("", include("tertulia.governance.urls")),
    path("", include("tertulia.listening.urls")),
    path("", include("tertulia.networks.urls")),
    path("", include("tertulia.engagement.urls")),
    path("", include("tertulia.cases.urls")),
    path("", include("tertulia.insights.urls")),
    path("", include("tertulia.api.urls")),
]
