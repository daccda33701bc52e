"""The web import: upload a JSONL or CSV export, watch it being read, get the error report."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tertulia.governance.audit import Actor
from tertulia.governance.models import Organization
from tertulia.governance.permissions import Permission as P
from tertulia.listening.models import ImportJob
from tertulia.listening.web_import import do_rerun_import, do_start_import
from tertulia.web.routing import org_route, post_only


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("JSONL or CSV file"))
    mapping = forms.CharField(
        label=gettext_lazy("Column mapping (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "text=Message\nauthor_handle=User"}),
        help_text=gettext_lazy("One field=column per line, for CSV columns whose names are not "
                               "recognized."),
    )


@org_route(P.ORG_INGEST_WRITE)
def imports(request: HttpRequest, org: Organization) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = do_start_import(org, form.cleaned_data["file"], form.cleaned_data["mapping"],
                                  actor=Actor.from_request(request, org))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("listening:import_job", org.slug, job.id)
    jobs = ImportJob.objects.filter(organization=org)[:20]
    return render(request, "listening/imports.html",
                  {"org": org, "form": form, "jobs": jobs, "section": "settings"})


def _job(org: Organization, job_id: int) -> ImportJob:
    return get_object_or_404(ImportJob, id=job_id, organization=org)


@org_route(P.ORG_INGEST_WRITE)
def import_job(request: HttpRequest, org: Organization, job_id: int) -> HttpResponse:
    job = _job(org, job_id)
    template = ("listening/_import_progress.html" if request.headers.get("HX-Request")
                else "listening/import_job.html")
    return render(request, template, {"org": org, "job": job, "section": "settings"})


@org_route(P.ORG_INGEST_WRITE)
def import_errors(request: HttpRequest, org: Organization, job_id: int) -> HttpResponse:
    job = _job(org, job_id)
    report = Path(job.report_path)
    if not job.errors or not report.is_file():
        messages.info(request, _("This import has no row errors."))
        return redirect("listening:import_job", org.slug, job.id)
    return FileResponse(report.open("rb"), as_attachment=True,
                        filename=f"{Path(job.file_name).stem}.errors.csv",
                        content_type="text/csv; charset=utf-8")


@org_route(P.ORG_INGEST_WRITE)
@post_only
def import_rerun(request: HttpRequest, org: Organization, job_id: int) -> HttpResponse:
    job = _job(org, job_id)
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING) and job.started_at:
        messages.info(request, _("This import is still running."))
    elif not Path(job.stored_path).is_file():
        messages.error(request, _("The uploaded file is no longer stored; upload it again."))
    else:
        do_rerun_import(job, actor=Actor.from_request(request, org))
    return redirect("listening:import_job", org.slug, job.id)
