"""Forms of the sources page."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_LOCAL_NAMES = ("localhost", "localhost.localdomain")


class FeedSourceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=120)
    url = forms.URLField(label=gettext_lazy("feed address"), max_length=1000,
                         assume_scheme="https")

    def clean_url(self) -> str:
        """Refuse what can never be a public feed. Addresses that only resolve to private
        networks are refused again at every fetch (``polling.public_url_guard``)."""
        url: str = self.cleaned_data["url"]
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        if parts.scheme not in ("http", "https"):
            raise ValidationError(_("%(url)s is not a web address; use one that starts with "
                                    "https://.") % {"url": url})
        if host in _LOCAL_NAMES or host.endswith(".localhost") or _is_private_ip(host):
            raise ValidationError(_("%(url)s points to this server or a private network; "
                                    "use the feed's public address.") % {"url": url})
        return url


def _is_private_ip(host: str) -> bool:
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False  # a name, not an address


class WebhookSourceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=120)
