"""Route declarations: every view states the permission it needs, and one decorator enforces it.

A test walks every URL pattern and fails when a view carries no `required_permission`.
`PUBLIC` and `SIGNED_IN` are the two declarations that are not a `Permission`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone

from tertulia.governance.access import access_brand, access_org
from tertulia.governance.permissions import Permission

PUBLIC = "public"
SIGNED_IN = "signed-in"

View = Callable[..., HttpResponse]


def _declare(view: View, permission: Permission | str) -> View:
    view.required_permission = permission  # type: ignore[attr-defined]
    return view


def post_only(view: View) -> View:
    """Refuses every method but POST (405), after the permission check has run."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, *args, **kwargs)

    wrapper.post_only = True  # type: ignore[attr-defined]
    return wrapper


def public(view: View) -> View:
    """Anyone may open it, signed in or not (sign-in, invitation links, webhooks)."""
    return _declare(view, PUBLIC)


def signed_in(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _declare(wrapper, SIGNED_IN)


def org_route(permission: Permission) -> Callable[[View], View]:
    """For `/o/<org_slug>/…` views: passes the organization, authorized for `permission`.
    The view receives `org` instead of `org_slug`."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kw: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            org = access_org(request.user, org_slug, permission)
            request.org = org  # type: ignore[attr-defined]
            return view(request, org, *args, **kw)

        return _declare(wrapper, permission)

    return decorate


def brand_route(permission: Permission) -> Callable[[View], View]:
    """For `/o/<org_slug>/b/<brand_slug>/…` views: passes the brand, authorized for
    `permission`; a brand outside the person's reach is a 404."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, brand_slug: str, *args: Any,
                    **kw: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            org = access_org(request.user, org_slug)
            brand = access_brand(request.user, org, brand_slug, permission)
            request.org = org  # type: ignore[attr-defined]
            request.brand = brand  # type: ignore[attr-defined]
            # Times on a brand's pages read in the brand's own time zone.
            with timezone.override(brand.timezone):
                return view(request, brand, *args, **kw)

        return _declare(wrapper, permission)

    return decorate
