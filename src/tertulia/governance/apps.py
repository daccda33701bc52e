from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "tertulia.governance"
    label = "governance"
    verbose_name = "Governance"
