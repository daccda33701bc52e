"""Network connectors: the normalized item, the connector protocol and one folder per network.

Two layers live here. The connector core (``items``, ``protocol``, ``ratelimit``,
``sanitize``, ``webhooks`` and one module per network) is pure Python and imports no
Django, so it is fast to test. The Django app around it (``models``, ``polling``,
``inbound``, ``actions``, ``views``) stores feed health and webhook endpoints, runs the
connectors on schedule and receives signed deliveries.
"""
