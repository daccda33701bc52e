from django.apps import AppConfig


class CasesConfig(AppConfig):
    """Cases, leads, the knowledge base and satisfaction surveys, built on the inbox."""

    name = "tertulia.cases"
    label = "cases"
    verbose_name = "Cases"
