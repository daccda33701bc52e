"""Survey links: ``<nonce>:<signature>``, signed with the server's secret key.

The nonce is 128 random bits stored on the survey; the signature makes a guessed or edited
link fail before any lookup. Expiry is the survey's own ``expires_at`` (fixed when it was
sent), checked against an injected clock, so tests and the page agree on what "expired" means.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core import signing

if TYPE_CHECKING:
    from tertulia.cases.models import Survey

SALT = "tertulia.cases.survey"
MAX_TOKEN = 200


class SurveyLinkInvalid(Exception):
    """Tampered, truncated or unknown."""


class SurveyLinkExpired(Exception):
    """Genuine, but past its date."""


def make_token(survey: Survey) -> str:
    return signing.Signer(salt=SALT).sign(survey.nonce)


def read_token(token: str, now: datetime) -> Survey:
    """The survey a link points to. Raises :class:`SurveyLinkInvalid` or
    :class:`SurveyLinkExpired`; an answered survey is returned (the page says thanks)."""
    from tertulia.cases.models import Survey

    if not token or len(token) > MAX_TOKEN:
        raise SurveyLinkInvalid
    try:
        nonce = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature as error:
        raise SurveyLinkInvalid from error
    survey = (Survey.objects.filter(nonce=nonce)
              .select_related("case", "brand", "brand__organization").first())
    if survey is None:
        raise SurveyLinkInvalid
    if survey.answered_at is None and now >= survey.expires_at:
        raise SurveyLinkExpired
    return survey
