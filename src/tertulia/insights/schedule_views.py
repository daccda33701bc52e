"""Scheduled reports in the browser: the schedules of a brand, sharing a finished report
through an expiring link, and the public page that link opens (no sign-in)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand
from tertulia.governance.permissions import Permission as P
from tertulia.insights.forms import ReportForm
from tertulia.insights.models import Report
from tertulia.insights.reports.files import path_of
from tertulia.insights.reports.render import CONTENT_TYPES
from tertulia.insights.schedule_actions import (
    SHARE_MAX_DAYS,
    ShareProblem,
    do_delete_report_schedule,
    do_save_report_schedule,
    do_share_report,
    parse_recipients,
    resolve_share,
)
from tertulia.insights.schedule_models import ReportDispatch, ReportSchedule, ReportShare
from tertulia.web.routing import brand_route, post_only, public


class ScheduleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=120)
    template = ReportForm.base_fields["template"]
    format = ReportForm.base_fields["format"]
    language = ReportForm.base_fields["language"]
    cadence = forms.ChoiceField(label=gettext_lazy("when"),
                                choices=ReportSchedule.Cadence.choices)
    recipients = forms.CharField(
        label=gettext_lazy("send to"), max_length=4000,
        help_text=gettext_lazy("E-mail addresses separated by commas; they need no account."))

    def clean_recipients(self) -> str:
        try:
            return ", ".join(parse_recipients(self.cleaned_data["recipients"]))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


@brand_route(P.BRAND_REPORTS_MANAGE)
def schedules(request: HttpRequest, brand: Brand) -> HttpResponse:
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do_save_report_schedule(brand, name=data["name"], template=data["template"],
                                fmt=data["format"], language=data["language"],
                                cadence=data["cadence"], recipients=data["recipients"],
                                actor=Actor.from_request(request, brand.organization))
        messages.success(request, _("Schedule saved."))
        return redirect("insights:report_schedules", brand.organization.slug, brand.slug)
    rows = list(ReportSchedule.objects.filter(brand=brand).select_related("created_by"))
    sent = list(ReportDispatch.objects.filter(report__brand=brand).select_related(
        "report", "schedule").order_by("-report__created_at")[:30])
    return render(request, "insights/schedules.html", {
        "org": brand.organization, "brand": brand, "section": "insights", "form": form,
        "schedules": rows, "sent": sent,
    }, status=400 if form.errors else 200)


@brand_route(P.BRAND_REPORTS_MANAGE)
@post_only
def schedule_delete(request: HttpRequest, brand: Brand, schedule_id: int) -> HttpResponse:
    schedule = ReportSchedule.objects.filter(id=schedule_id, brand=brand).first()
    if schedule is None:
        raise Http404("No such schedule.")
    do_delete_report_schedule(schedule, actor=Actor.from_request(request, brand.organization))
    messages.success(request, _("Schedule deleted."))
    return redirect("insights:report_schedules", brand.organization.slug, brand.slug)


@brand_route(P.BRAND_REPORTS_MANAGE)
@post_only
def report_share(request: HttpRequest, brand: Brand, report_id: int) -> HttpResponse:
    report = Report.objects.filter(id=report_id, brand=brand,
                                   status=Report.Status.DONE).first()
    if report is None:
        raise Http404("No such report.")
    raw = request.POST.get("days", "7")
    days = int(raw) if raw.isdigit() else 0
    if not 1 <= days <= SHARE_MAX_DAYS:
        messages.error(request, _("A shared link lasts from 1 to %(max)s days; “%(value)s” "
                                  "is not that.") % {"max": SHARE_MAX_DAYS, "value": raw[:20]})
        return redirect("insights:reports", brand.organization.slug, brand.slug)
    _share, token = do_share_report(report, days=days,
                                    actor=Actor.from_request(request, brand.organization))
    url = request.build_absolute_uri(reverse("insights:shared_report", args=[token]))
    messages.success(request, _("Anyone with this link can download the report for "
                                "%(days)s days: %(url)s") % {"days": days, "url": url})
    return redirect("insights:reports", brand.organization.slug, brand.slug)


@public
def shared_report(request: HttpRequest, share_token: str) -> HttpResponse:
    """The page an expiring link opens: the report's name and a download button, or why
    the link no longer works."""
    try:
        share = resolve_share(share_token)
    except ShareProblem as problem:
        reason = {"expired": _("This link has expired. Ask the person who shared it for a "
                               "new one."),
                  "revoked": _("This link was withdrawn by the person who shared it."),
                  }.get(str(problem), _("This link is not valid. Check that it was copied "
                                        "whole."))
        return render(request, "insights/shared_report.html", {"problem": reason},
                      status=410 if str(problem) in ("expired", "revoked") else 404)
    report = share.report
    if request.GET.get("download") == "1":
        path = path_of(report)
        if not path.is_file():
            raise Http404("The report file is gone.")
        ReportShare.objects.filter(id=share.id).update(downloads=F("downloads") + 1)
        return FileResponse(path.open("rb"), as_attachment=True, filename=report.file_name,
                            content_type=CONTENT_TYPES[report.format])
    return render(request, "insights/shared_report.html", {"share": share, "report": report})
