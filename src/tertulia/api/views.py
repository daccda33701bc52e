"""A person's API tokens in one organization: list, create (secret shown once), revoke."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tertulia.api.actions import do_create_api_token, do_revoke_api_token
from tertulia.api.models import ApiToken
from tertulia.governance.access import visible_brands
from tertulia.governance.audit import Actor
from tertulia.governance.models import Organization
from tertulia.governance.permissions import Permission as P
from tertulia.web.routing import org_route, post_only

EXPIRY_CHOICES = [("30", gettext_lazy("30 days")), ("90", gettext_lazy("90 days")),
                  ("365", gettext_lazy("1 year")), ("", gettext_lazy("Never"))]


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    expires = forms.ChoiceField(label=gettext_lazy("expires"), choices=EXPIRY_CHOICES,
                                required=False, initial="90")
    brands = forms.ModelMultipleChoiceField(
        label=gettext_lazy("only these brands"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, brands: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["brands"].queryset = brands  # type: ignore[attr-defined]


@org_route(P.ORG_VIEW)
def tokens(request: HttpRequest, org: Organization) -> HttpResponse:
    brands = visible_brands(request.user, org)
    form = TokenForm(request.POST or None, brands=brands)
    secret = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires"]
        expires_at = timezone.now() + timedelta(days=int(days)) if days else None
        _token, secret = do_create_api_token(
            request.user, org, form.cleaned_data["name"], expires_at=expires_at,  # type: ignore[arg-type]
            brands=form.cleaned_data["brands"], actor=Actor.from_request(request, org),
        )
        form = TokenForm(brands=brands)
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    rows = ApiToken.objects.filter(user=request.user, organization=org).prefetch_related("brands")
    return render(request, "api/tokens.html", {
        "org": org, "form": form, "secret": secret, "tokens": rows, "now": timezone.now(),
    })


@org_route(P.ORG_VIEW)
@post_only
def token_revoke(request: HttpRequest, org: Organization, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(id=token_id, user=request.user, organization=org).first()
    if token is None:
        raise Http404("No such token.")
    do_revoke_api_token(token, actor=Actor.from_request(request, org))
    messages.success(request, _("Token revoked."))
    return redirect("api_tokens:tokens", org.slug)
