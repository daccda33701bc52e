"""Forms for the settings pages. They validate input; the actions change state."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from tertulia.governance.models import Brand, Organization, Team
from tertulia.governance.permissions import BRAND_ROLES, Role

NETWORK_CHOICES = [
    ("x", "X"), ("facebook", "Facebook"), ("instagram", "Instagram"), ("linkedin", "LinkedIn"),
    ("youtube", "YouTube"), ("mastodon", "Mastodon"), ("bluesky", "Bluesky"),
    ("reddit", "Reddit"), ("tiktok", "TikTok"), ("email", _("E-mail")), ("demo", _("Demo")),
]
_TIMEZONES = sorted(available_timezones())


def role_choices(roles: object = Role) -> list[tuple[str, str]]:
    from tertulia.governance.roles import role_label

    return [(r.value, role_label(r)) for r in roles]  # type: ignore[attr-defined]


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ("name", "default_language", "require_mfa", "mention_retention_days")


class BrandForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("time zone"), choices=[(t, t) for t in _TIMEZONES])

    class Meta:
        model = Brand
        fields = ("name", "timezone", "language", "website", "description", "is_active")


class AccountForm(forms.Form):
    network = forms.ChoiceField(label=_("network"), choices=NETWORK_CHOICES)
    handle = forms.CharField(label=_("handle"), max_length=120)
    display_name = forms.CharField(label=_("display name"), max_length=120, required=False)


class CompetitorForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    handles = forms.CharField(label=_("handles"), max_length=300, required=False)
    website = forms.URLField(label=_("website"), required=False)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name", "kind", "description")


class TeamMemberForm(forms.Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=None)
    is_lead = forms.BooleanField(label=_("team lead"), required=False)

    def __init__(self, *args: object, people: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"))
    brand = forms.ModelChoiceField(
        label=_("brand"), queryset=None, required=False,
        empty_label=_("All brands of the organization"),
    )

    def __init__(self, *args: object, org: Organization, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].choices = role_choices()  # type: ignore[attr-defined]
        self.fields["brand"].queryset = org.brands.all()  # type: ignore[attr-defined]
        self.org = org

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        role, brand = data.get("role"), data.get("brand")
        if role and brand and Role(role) not in BRAND_ROLES:
            self.add_error("brand", _("This role applies to the whole organization, not one "
                                      "brand: leave the brand empty."))
        return data


class InviteForm(RoleForm):
    email = forms.EmailField(label=_("e-mail"))
    field_order = ("email", "role", "brand")


class AgencyGrantForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("agency"), queryset=None)
    role = forms.ChoiceField(label=_("role"))
    brands = forms.ModelMultipleChoiceField(
        label=_("brands"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, org: Organization, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agency"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            kind=Organization.Kind.AGENCY
        ).exclude(id=org.id)
        self.fields["role"].choices = role_choices(sorted(BRAND_ROLES))  # type: ignore[attr-defined]
        self.fields["brands"].queryset = org.brands.all()  # type: ignore[attr-defined]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("full name"), max_length=150)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, min_length=10)


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("person"), required=False)
    brand = forms.ModelChoiceField(label=_("brand"), queryset=None, required=False)
    action = forms.ChoiceField(label=_("action"), required=False)
    date_from = forms.DateField(label=_("from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, org: Organization, **kwargs: object) -> None:
        from tertulia.governance.audit import AuditAction

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["brand"].queryset = org.brands.all()  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("Any action"))] + [  # type: ignore[attr-defined]
            (a.value, a.value) for a in AuditAction
        ]
