"""The filters every widget of a dashboard shares: period, comparison, network, language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tertulia.insights import metrics as M
from tertulia.insights.dashboards import Filters
from tertulia.listening.forms import LANGUAGES
from tertulia.networks.items import Network

DEFAULT_PERIOD = "30d"


def _lang() -> str:
    return "es" if (get_language() or "en").startswith("es") else "en"


class InsightsFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("period"), required=False, initial=DEFAULT_PERIOD)
    start = forms.DateField(label=_("from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    compare = forms.ChoiceField(label=_("compare with"), required=False, choices=[
        ("previous", _("the previous period")), ("last_year", _("the same period last year")),
        ("none", _("nothing")),
    ])
    network = forms.ChoiceField(label=_("network"), required=False, choices=[
        ("", _("All networks")), *((n.value, n.value) for n in Network)])
    language = forms.ChoiceField(label=_("language"), required=False, choices=LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        i = 1 if _lang() == "es" else 0
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            *((key, labels[i]) for key, labels in M.PRESETS.items()),
            ("custom", _("Dates below")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates, from and to, for a custom "
                                              "period."))
            if end < start:
                self.add_error("end", _("The end date is before the start date."))
            elif (end - start).days + 1 > M.MAX_PERIOD_DAYS:
                self.add_error("end", _("A period can be at most %(days)s days long.")
                               % {"days": M.MAX_PERIOD_DAYS})
        return data

    def filters(self, today: date) -> Filters:
        """The filters asked for; the defaults (last 30 days vs the previous 30) where the
        form is empty or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        name = data.get("period") or DEFAULT_PERIOD
        period = (M.Period(data["start"], data["end"]) if name == "custom"
                  else M.preset(name, today))
        return Filters(period, M.Compare(data.get("compare") or M.Compare.PREVIOUS),
                       data.get("network") or "", data.get("language") or "")


def today_in(tz: str, now: datetime) -> date:
    return M.local_today(now, tz)


class ReportForm(forms.Form):
    """What a person asks for on the reports page."""

    template = forms.ChoiceField(label=_("report"), choices=[
        ("executive", _("Executive")), ("marketing", _("Marketing")),
        ("pr", _("PR and communication")), ("sales", _("Sales")),
        ("service", _("Customer service")), ("weekly", _("Community weekly")),
    ])
    format = forms.ChoiceField(label=_("format"), choices=[
        ("pdf", "PDF"), ("pptx", "PowerPoint (PPTX)"), ("xlsx", "Excel (XLSX)")])
    language = forms.ChoiceField(label=_("language"), choices=[
        ("es", "Español"), ("en", "English")])
    period = forms.ChoiceField(label=_("period"), initial=DEFAULT_PERIOD)
    compare = forms.ChoiceField(label=_("compare with"), choices=[
        ("previous", _("the previous period")), ("last_year", _("the same period last year")),
        ("none", _("nothing")),
    ])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        i = 1 if _lang() == "es" else 0
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            (key, labels[i]) for key, labels in M.PRESETS.items()]
