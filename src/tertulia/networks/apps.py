from django.apps import AppConfig


class NetworksConfig(AppConfig):
    """The Django side of the connectors: feed state, webhook endpoints and their events."""

    name = "tertulia.networks"
    label = "networks"
    verbose_name = "Networks"

    def ready(self) -> None:
        # The queue consumer must know the webhook task before a message for it arrives,
        # and views (which enqueue it) are imported lazily, on the first request.
        from tertulia.networks import tasks  # noqa: F401
