from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tertulia.web"
    label = "web"
    verbose_name = "Web shell"
