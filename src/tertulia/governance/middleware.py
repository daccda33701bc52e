"""Per-person language and the organization's mandatory two-factor sign-in."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

Handler = Callable[[HttpRequest], HttpResponse]


class UserLanguageMiddleware:
    """A signed-in person's chosen language wins over the browser's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
        return self.get_response(request)


# Pages a person must still reach while setting up their authenticator.
_MFA_SETUP_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/account/language/")


class RequireMfaMiddleware:
    """Where an organization requires two-factor sign-in, its people without an
    authenticator are sent to set one up before anything else."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_MFA_SETUP_PREFIXES)
            and not request.path.startswith("/api/")
            and _mfa_required(user)
            and not _has_totp(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _mfa_required(user: object) -> bool:
    from tertulia.governance.models import Membership

    return Membership.objects.filter(
        user=user, is_active=True, organization__require_mfa=True
    ).exists()


def _has_totp(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
