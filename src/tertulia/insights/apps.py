from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tertulia.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from tertulia.insights import receivers, tasks  # noqa: F401  (registers them)
        from tertulia.insights.rollups import apply_batch
        from tertulia.listening.pipeline import _atomic_listeners, on_ingested

        if apply_batch not in _atomic_listeners:
            on_ingested(apply_batch, atomic=True)
        from tertulia.insights.alert_watch import after_ingest
        from tertulia.listening.pipeline import _listeners

        if after_ingest not in _listeners:
            on_ingested(after_ingest)
