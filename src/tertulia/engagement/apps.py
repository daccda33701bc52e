from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """The inbox: conversations threaded from listening, rules, SLAs, replies."""

    name = "tertulia.engagement"
    label = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        # Thread every committed ingest batch into conversations, and let the queue consumer
        # know the engagement tasks (the SLA tick, reply delivery) before a message arrives.
        from tertulia.engagement import inbound, tasks  # noqa: F401
        from tertulia.listening.pipeline import on_ingested

        on_ingested(inbound.on_ingested)
