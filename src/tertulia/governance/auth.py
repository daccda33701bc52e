"""Sign-in policy on top of django-allauth."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """People join by an invitation link, never by open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
