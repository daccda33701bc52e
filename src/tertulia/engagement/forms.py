"""Forms of the inbox and of a brand's inbox settings. They parse; actions validate deeper."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tertulia.engagement.calendar import WEEKDAY_NAMES
from tertulia.engagement.inbox import DEFAULT_VIEW, VIEWS, Scope
from tertulia.engagement.models import (
    ConversationStatus,
    Flag,
    Priority,
    ReplyTemplate,
    SlaState,
)
from tertulia.governance.models import Team, User
from tertulia.listening.models import Sentiment
from tertulia.networks.items import Network

_ANY = [("", _("any"))]


class InboxFilterForm(forms.Form):
    view = forms.ChoiceField(choices=[(k, v[0]) for k, v in VIEWS.items()], required=False)
    brand = forms.ModelChoiceField(queryset=None, required=False, to_field_name="slug",
                                   label=_("brand"), empty_label=_("all brands"))
    network = forms.ChoiceField(choices=_ANY + [(n.value, n.value) for n in Network],
                                required=False, label=_("network"))
    flag = forms.ChoiceField(choices=_ANY + list(Flag.choices), required=False,
                             label=_("flag"))
    sentiment = forms.ChoiceField(choices=_ANY + list(Sentiment.choices), required=False,
                                  label=_("sentiment"))
    language = forms.ChoiceField(choices=[*_ANY, ("es", "Español"), ("en", "English")],
                                 required=False, label=_("language"))
    status = forms.ChoiceField(choices=_ANY + list(ConversationStatus.choices), required=False,
                               label=_("status"))
    priority = forms.ChoiceField(choices=_ANY + list(Priority.choices), required=False,
                                 label=_("priority"))
    assignee = forms.ChoiceField(required=False, label=_("assignee"))
    team = forms.ModelChoiceField(queryset=None, required=False, label=_("team"),
                                  empty_label=_("any"))
    sla = forms.ChoiceField(choices=_ANY + list(SlaState.choices), required=False,
                            label=_("SLA"))
    tag = forms.CharField(max_length=60, required=False, label=_("tag"))
    min_followers = forms.IntegerField(min_value=0, required=False,
                                       label=_("at least followers"))

    def __init__(self, *args: Any, scope: Scope,
                 assignee_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = scope.org
        self.fields["brand"].queryset = org.brands.filter(id__in=scope.brand_ids)
        self.fields["team"].queryset = Team.objects.filter(organization=org)
        self.fields["assignee"].choices = (assignee_choices if assignee_choices is not None
                                           else self.assignee_choices(scope))

    @staticmethod
    def assignee_choices(scope: Scope) -> list[tuple[str, str]]:
        """Computed once per request where many forms are built (saved-view counts)."""
        people = User.objects.filter(memberships__organization=scope.org,
                                     is_active=True).distinct()
        return _ANY + [("me", _("me")), ("none", _("nobody"))] + [
            (str(u.id), str(u)) for u in people]

    def light_fields(self, *, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """The filters as plain values for a hand-written template: Django's widget templates
        render every <option> through the template engine, which cost more than the whole
        page's queries."""
        out = []
        for name in ("brand", "network", "flag", "sentiment", "language", "status", "priority",
                     "assignee", "team", "sla", "tag", "min_followers"):
            if name in skip:
                continue
            field = self.fields[name]
            raw = self.data.get(name, "") if self.is_bound else ""
            item: dict[str, Any] = {"name": name, "label": field.label, "value": str(raw)}
            if isinstance(field, forms.ModelChoiceField):
                key = field.to_field_name or "pk"
                item["choices"] = [("", str(field.empty_label))] + [
                    (str(getattr(o, key)), str(o)) for o in field.queryset]
            elif isinstance(field, forms.ChoiceField):
                item["choices"] = [(str(v), str(label)) for v, label in field.choices]
            else:
                item["input_type"] = "number" if name == "min_followers" else "text"
            out.append(item)
        return out

    def data_or_empty(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}

    @property
    def view_name(self) -> str:
        value = self.cleaned_data.get("view") if self.is_bound and self.is_valid() else None
        return value or DEFAULT_VIEW


class JSONField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 8, "class": "font-monospace"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Not valid JSON at line %(line)s, column %(column)s: %(message)s")
                % {"line": error.lineno, "column": error.colno, "message": error.msg}
            ) from error


class RuleForm(forms.Form):
    key = forms.SlugField(max_length=60, label=_("id"))
    name = forms.CharField(max_length=120, label=_("name"))
    order = forms.IntegerField(label=_("order"), initial=100,
                               help_text=_("Lower runs first."))
    enabled = forms.BooleanField(required=False, initial=True, label=_("enabled"))
    stop_processing = forms.BooleanField(required=False, label=_("stop processing"),
                                         help_text=_("When it fires, later rules do not run."))
    conditions = JSONField(label=_("conditions"), initial='{"all": []}')
    actions = JSONField(label=_("actions"), initial='[{"type": "add_tags", "value": ["x"]}]')

    def rule_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"id": d["key"], "name": d["name"], "order": d["order"], "enabled": d["enabled"],
                "stop_processing": d["stop_processing"], "conditions": d["conditions"],
                "actions": d["actions"]}


class SlaPolicyForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices, label=_("priority"))
    first_response_min = forms.IntegerField(min_value=1, label=_("first response (minutes)"))
    resolution_min = forms.IntegerField(min_value=1, label=_("resolution (minutes)"))
    warn_before_min = forms.IntegerField(min_value=0, initial=0,
                                         label=_("warn before (minutes)"))


class HoursForm(forms.Form):
    """Business hours per weekday (``09:00-14:00, 15:00-19:00``), holidays and VIP list."""

    holidays = forms.CharField(required=False, label=_("holidays"),
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("One date per line, like 2026-12-25."))
    vip_handles = forms.CharField(required=False, label=_("VIP list"),
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("One @handle per line; rules test it as “vip”."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in WEEKDAY_NAMES:
            self.fields[day] = forms.CharField(required=False, label=day,
                                               help_text="09:00-14:00, 15:00-19:00")

    def weekly_hours(self) -> dict[str, list[str]]:
        return {day: [p.strip() for p in self.cleaned_data[day].split(",") if p.strip()]
                for day in WEEKDAY_NAMES if self.cleaned_data.get(day, "").strip()}

    def clean_holidays(self) -> list[str]:
        days = []
        for line in self.cleaned_data["holidays"].splitlines():
            if line.strip():
                try:
                    days.append(date.fromisoformat(line.strip()).isoformat())
                except ValueError as error:
                    raise forms.ValidationError(
                        _("%(value)s is not a date; write it like 2026-12-25.")
                        % {"value": line.strip()}) from error
        return days

    def clean_vip_handles(self) -> list[str]:
        return ["@" + h.strip().lstrip("@") for h in self.cleaned_data["vip_handles"].split()
                if h.strip().lstrip("@")]


class GuidelineForm(forms.Form):
    meaning = forms.CharField(label=_("what it means"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_action = forms.CharField(label=_("expected action"),
                                      widget=forms.Textarea(attrs={"rows": 2}))
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False,
                                  label=_("team in charge"))


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ("key", "name", "flag", "language", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 4}),
                   "language": forms.TextInput(attrs={"placeholder": "es"})}


def _lines(value: str, *, sep: str = "\n") -> list[str]:
    parts = value.replace(",", "\n").split("\n") if sep == "," else value.splitlines()
    return [p.strip() for p in parts if p.strip()]


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=512, required=False, label=_("name"))
    email = forms.EmailField(required=False, label=_("e-mail"))
    phone = forms.RegexField(regex=r"^\+?[0-9][0-9 ().-]{5,30}$", max_length=40,
                             required=False, label=_("phone"),
                             error_messages={"invalid": _(
                                 "Write the phone number with digits, e.g. +34 600 000 000.")})
    website = forms.URLField(max_length=500, required=False, label=_("website"),
                             assume_scheme="https")
    company = forms.CharField(max_length=200, required=False, label=_("company"))
    language = forms.ChoiceField(choices=[("", _("unknown")), ("es", "Español"),
                                          ("en", "English")], required=False,
                                 label=_("language"))
    tags = forms.CharField(max_length=600, required=False, label=_("tags"),
                           help_text=_("Separated by commas."))
    segment = forms.CharField(max_length=60, required=False, label=_("segment"))
    crm_id = forms.CharField(max_length=120, required=False, label=_("CRM id"))
    bio_links = forms.CharField(required=False, label=_("links in bio"),
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("One link per line."))
    is_vip = forms.BooleanField(required=False, label=_("VIP"))

    def clean_tags(self) -> list[str]:
        tags = _lines(self.cleaned_data["tags"], sep=",")
        too_long = [t for t in tags if len(t) > 60]
        if too_long:
            raise forms.ValidationError(_("A tag has at most 60 characters: %(tag)s")
                                        % {"tag": too_long[0][:80]})
        return tags

    def clean_bio_links(self) -> list[str]:
        links = _lines(self.cleaned_data["bio_links"])
        field = forms.URLField(assume_scheme="https")
        out = []
        for link in links[:20]:
            try:
                out.append(field.clean(link))
            except forms.ValidationError:
                raise forms.ValidationError(_("“%(link)s” is not a link.")
                                            % {"link": link[:200]}) from None
        return out


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(choices=[], label=_("channel"))
    granted = forms.TypedChoiceField(choices=[("1", _("gives consent")),
                                              ("0", _("withdraws consent"))],
                                     coerce=lambda v: v == "1", label=_("consent"))
    given_at = forms.DateTimeField(label=_("date"),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    source = forms.CharField(max_length=200, label=_("source"),
                             help_text=_("Where the customer said it: a form, a message, "
                                         "a call."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tertulia.engagement.models import ConsentChannel

        self.fields["channel"].choices = ConsentChannel.choices


class ApprovalSettingsForm(forms.Form):
    replies_need_approval = forms.BooleanField(required=False,
                                               label=_("Replies need approval"))
    approval_roles = forms.MultipleChoiceField(
        required=False, label=_("Whose replies"), widget=forms.CheckboxSelectMultiple,
        choices=[("agent", _("Community managers / agents")),
                 ("agency", _("Anyone working through an agency"))])
    reply_to_email = forms.EmailField(required=False, label=_("Reply-to address for e-mail"))
