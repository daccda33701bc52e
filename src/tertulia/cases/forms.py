"""Forms of cases, leads, articles and the survey. They parse; actions validate deeper."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tertulia.cases.models import CaseStatus, CaseType, Department, LeadStage, Outcome
from tertulia.engagement.models import Priority

_ANY = [("", _("any"))]
ACTIVE = "active"


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ACTIVE, _("open or pending")), *_ANY, *CaseStatus.choices], required=False,
        label=_("status"))
    department = forms.ChoiceField(choices=_ANY + list(Department.choices), required=False,
                                   label=_("department"))
    priority = forms.ChoiceField(choices=_ANY + list(Priority.choices), required=False,
                                 label=_("priority"))
    type = forms.ChoiceField(choices=_ANY + list(CaseType.choices), required=False,
                             label=_("type"))
    owner = forms.ChoiceField(choices=[*_ANY, ("me", _("mine")), ("none", _("nobody"))],
                              required=False, label=_("owner"))
    q = forms.CharField(required=False, max_length=200, label=_("search"))

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": ACTIVE}
        data = {k: v for k, v in self.cleaned_data.items() if v}
        if "status" not in self.data:
            data["status"] = ACTIVE
        return data


class CaseDetailsForm(forms.Form):
    title = forms.CharField(max_length=300, label=_("title"))
    type = forms.ChoiceField(choices=CaseType.choices, label=_("type"))
    priority = forms.ChoiceField(choices=Priority.choices, label=_("priority"))


class HandoffForm(forms.Form):
    department = forms.ChoiceField(choices=Department.choices, label=_("department"))
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None,
                                   label=_("owner"))
    channel = forms.ChoiceField(choices=[
        ("", _("same channel")), ("phone", _("phone call")), ("sms", _("SMS")),
        ("email", _("e-mail")), ("dm", _("private message")), ("in_person", _("in person")),
    ], required=False, label=_("channel"))
    context = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              label=_("context for the next person"))


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in Outcome.choices if c[0]],
                                label=_("outcome"))


class LeadForm(forms.Form):
    stage = forms.ChoiceField(choices=LeadStage.choices, label=_("stage"))
    value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                               label=_("value"))
    currency = forms.RegexField(regex=r"^[A-Za-z]{3}$", max_length=3, label=_("currency"),
                                error_messages={"invalid": _("Use a three-letter code such "
                                                             "as EUR or USD.")})
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None,
                                   label=_("owner"))
    crm_ref = forms.CharField(max_length=120, required=False, label=_("CRM reference"))


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("title"))
    language = forms.ChoiceField(choices=[("es", "Español"), ("en", "English")],
                                 label=_("language"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=100_000,
                           label=_("text (Markdown)"),
                           help_text=_("Headings with #, lists with - or 1., **bold**, *italic*, "
                                       "`code` and [links](https://…). HTML is shown as text."))
    tags = forms.CharField(max_length=400, required=False, label=_("tags"),
                           help_text=_("Separated by commas."))
    published = forms.BooleanField(required=False, label=_("published (public link)"))


class SurveySettingsForm(forms.Form):
    enabled = forms.BooleanField(required=False,
                                 label=_("Send a satisfaction survey after a case is resolved"))
    valid_days = forms.IntegerField(min_value=1, max_value=90, label=_("days the link stays valid"))


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(coerce=int, choices=[(i, str(i)) for i in range(1, 6)],
                                   label=_("score"),
                                   error_messages={"required": _("Choose a score from 1 to 5."),
                                                   "invalid_choice": _("Choose a score from 1 "
                                                                       "to 5.")})
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              max_length=2000, label=_("anything to add? (optional)"))
