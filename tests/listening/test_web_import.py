"""Importing from the web: upload, background reading with progress, error report, re-run."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tertulia.governance.models import AuditEvent
from tertulia.listening.models import ImportJob, Mention
from tests.conftest import World
from tests.listening.test_import import ROWS


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode() + b"\n"


def upload(client: Client, world: World, name: str, content: bytes, mapping: str = "",
           capture: Any = None) -> Any:
    with capture(execute=True):
        return client.post(f"/o/{world.acme.slug}/import/",
                           {"file": SimpleUploadedFile(name, content), "mapping": mapping})


@pytest.fixture
def admin(world: World, client: Client) -> Client:
    client.force_login(world.person("admin"))
    return client


@pytest.mark.django_db
def test_an_upload_is_read_in_the_background_and_reports_its_bad_rows(
    world: World, admin: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    response = upload(admin, world, "export.jsonl", jsonl(ROWS),
                      capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get(organization=world.acme)
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{job.id}/")
    assert job.status == "done" and job.percent == 100
    assert (job.rows_read, job.created, job.errors) == (len(ROWS), 2, 2)
    assert sorted(Mention.objects.filter(organization=world.acme)
                  .values_list("external_id", flat=True)) == ["a1", "a4"]
    page = admin.get(f"/o/{world.acme.slug}/import/{job.id}/", HTTP_HX_REQUEST="true")
    assert b"hx-trigger" not in page.content  # finished: the page stops polling
    report = admin.get(f"/o/{world.acme.slug}/import/{job.id}/errors.csv")
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert len(lines) == 3 and "author_followers" in lines[1] and lines[1].startswith("2,")
    assert AuditEvent.objects.filter(organization=world.acme, action="import.started").exists()


@pytest.mark.django_db
def test_running_the_same_import_again_changes_nothing(
    world: World, admin: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    upload(admin, world, "export.jsonl", jsonl(ROWS), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/o/{world.acme.slug}/import/{job.id}/again/")
    job.refresh_from_db()
    assert (job.status, job.created, job.unchanged) == ("done", 0, 2)
    assert Mention.objects.count() == 2


@pytest.mark.django_db
def test_a_running_job_polls_its_progress(world: World, admin: Client, tmp_path: Any) -> None:
    stored = tmp_path / "big.jsonl"
    stored.write_bytes(jsonl(ROWS))
    job = ImportJob.objects.create(organization=world.acme, file_name="big.jsonl",
                                   stored_path=str(stored), status="running", bytes_total=200,
                                   bytes_read=50)
    page = admin.get(f"/o/{world.acme.slug}/import/{job.id}/")
    assert b'hx-trigger="every 1s"' in page.content and b"25%" in page.content


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "mapping", "message"), [
    ("photo.png", "", "is not a JSONL or CSV file"),
    ("export.csv", "text Message", "should read field=column"),
])
def test_a_wrong_file_or_mapping_is_refused_before_anything_is_stored(
    world: World, admin: Client, name: str, mapping: str, message: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = upload(admin, world, name, b"x", mapping,
                      capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_file_the_reader_cannot_use_fails_with_its_reason(
    world: World, admin: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    upload(admin, world, "people.csv", b"name,age\nana,3\n", "text=Mensaje",
           capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == "failed" and "Mensaje" in job.message
    assert admin.get(f"/o/{world.acme.slug}/import/{job.id}/").status_code == 200


@pytest.mark.django_db
def test_only_people_who_may_ingest_can_import(world: World, client: Client) -> None:
    client.force_login(world.person("agent"))
    assert client.get(f"/o/{world.acme.slug}/import/").status_code == 403
