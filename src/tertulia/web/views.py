from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from tertulia.web.routing import public


@public
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and `make run`: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
