from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tertulia.api"
    label = "api"
    verbose_name = "API"
