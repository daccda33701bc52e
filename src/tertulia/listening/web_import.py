"""Importing from the web: the upload is stored, then read in the background with progress.

The reading is the CLI's (``importing.import_file``): constant memory, a row-level error
report, good rows kept, and a re-run of the same file changes nothing. A job interrupted by
a restart can simply be run again.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Organization
from tertulia.listening.importing import auto_workers, import_file
from tertulia.listening.models import ImportJob
from tertulia.networks.importer.reader import ImportConfigError

log = logging.getLogger(__name__)
SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")
PROGRESS_EVERY_S = 0.5
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def parse_mapping(text: str) -> dict[str, str]:
    """``field=column`` lines (blank lines ignored) → mapping; a bad line is refused."""
    mapping = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        field, sep, column = line.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ValidationError(
                _("Line %(n)s of the column mapping should read field=column, not %(line)s.")
                % {"n": number, "line": line.strip()[:80]})
        mapping[field.strip()] = column.strip()
    return mapping


def do_start_import(org: Organization, upload: UploadedFile, mapping_text: str, *,
                    actor: Actor) -> ImportJob:
    name = Path(upload.name or "upload").name
    if not name.lower().endswith(SUFFIXES):
        raise ValidationError(_("%(name)s is not a JSONL or CSV file (.jsonl, .ndjson, .json, "
                                ".csv).") % {"name": name})
    mapping = parse_mapping(mapping_text)
    folder = Path(settings.DATA_DIR) / "imports" / str(org.id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}-{_SAFE.sub('_', name)[-100:]}"
    with open(stored, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    with transaction.atomic():
        job = ImportJob.objects.create(
            organization=org, created_by=actor.user, file_name=name, stored_path=str(stored),
            mapping=mapping, bytes_total=stored.stat().st_size,
        )
        record(org, actor, AuditAction.IMPORT_STARTED, obj=job,
               after={"file": name, "bytes": job.bytes_total, "mapping": mapping})
        transaction.on_commit(lambda: _enqueue(job.id))
    return job


def do_rerun_import(job: ImportJob, *, actor: Actor) -> None:
    """Run a finished, failed or interrupted import again (re-reading changes nothing that
    was already stored)."""
    with transaction.atomic():
        ImportJob.objects.filter(id=job.id).update(
            status=ImportJob.Status.QUEUED, bytes_read=0, rows_read=0, created=0, updated=0,
            unchanged=0, errors=0, message="", started_at=None, finished_at=None)
        record(job.organization, actor, AuditAction.IMPORT_STARTED, obj=job,
               after={"file": job.file_name, "bytes": job.bytes_total, "again": True})
        transaction.on_commit(lambda: _enqueue(job.id))


def _enqueue(job_id: int) -> None:
    from tertulia.listening.tasks import run_import_job

    run_import_job(job_id)


def run(job_id: int) -> None:
    """Read one queued job to the end, saving its progress as it goes."""
    claimed = ImportJob.objects.filter(id=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return
    job = ImportJob.objects.select_related("organization").get(id=job_id)
    last = [0.0]

    def progress(done: int, _total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            ImportJob.objects.filter(id=job_id).update(bytes_read=done)

    try:
        summary = import_file(job.organization, Path(job.stored_path),
                              mapping=job.mapping or None, report_path=Path(job.report_path),
                              progress=progress, workers=auto_workers(Path(job.stored_path)))
    except ImportConfigError as error:
        _finish(job_id, ImportJob.Status.FAILED, message=str(error))
    except Exception:
        log.exception("import job %s failed", job_id)
        _finish(job_id, ImportJob.Status.FAILED,
                message=_("The import stopped on an unexpected error; what it stored is kept. "
                          "Run it again to continue."))
    else:
        _finish(job_id, ImportJob.Status.DONE, bytes_read=job.bytes_total,
                rows_read=summary.rows_read, created=summary.created,
                updated=summary.updated, unchanged=summary.unchanged, errors=summary.errors)


def _finish(job_id: int, status: str, **fields: object) -> None:
    ImportJob.objects.filter(id=job_id).update(status=status, finished_at=timezone.now(),
                                               **fields)
