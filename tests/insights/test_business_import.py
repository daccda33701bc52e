"""Importing business figures: upload → preview → import, row errors kept, re-import
idempotent, the API, and who may do it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tertulia.api.models import ApiToken
from tertulia.governance.models import AuditEvent, Organization, User, hash_token
from tertulia.insights import business as B
from tertulia.insights.actions import do_import_business_data
from tertulia.insights.models import BusinessFigure, BusinessImport
from tests.conftest import SYSTEM, World

CSV = (
    "fecha;ventas;nps;campaña;coste;conversion value;tickets\n"
    "2026-03-01;1.200,50;40;;;;7\n"
    "2026-03-02;abc;30;;;;8\n"
    "2026-03-02;900;;Otoño;300;1.500;\n"
    "02/30/2026;5;5;;;;\n"
).encode()


def _url(world: World, suffix: str) -> str:
    return f"/o/{world.acme.slug}/b/{world.a1.slug}/insights/business/{suffix}"


def _figures(world: World) -> set[tuple[str, str, date, float]]:
    return set(BusinessFigure.objects.filter(brand=world.a1).values_list(
        "metric", "campaign", "day", "value"))


@pytest.mark.django_db
def test_importing_keeps_good_rows_and_reimporting_changes_nothing(world: World) -> None:
    parsed = B.parse(CSV, "f.csv")
    first = do_import_business_data(world.a1, parsed, source="csv", file_name="f.csv",
                                    sha256="a" * 64, actor=SYSTEM)
    expected = {
        ("sales", "", date(2026, 3, 1), 1200.5), ("nps", "", date(2026, 3, 1), 40.0),
        ("tickets", "", date(2026, 3, 1), 7.0), ("nps", "", date(2026, 3, 2), 30.0),
        ("tickets", "", date(2026, 3, 2), 8.0), ("sales", "Otoño", date(2026, 3, 2), 900.0),
        ("cost", "Otoño", date(2026, 3, 2), 300.0),
        ("conversion_value", "Otoño", date(2026, 3, 2), 1500.0),
    }
    assert _figures(world) == expected
    assert not first.repeated
    assert first.record.rows_saved == 3 and first.record.figures_saved == 8
    assert [(e["line"], e["field"]) for e in first.record.errors] == [(3, "ventas"),
                                                                       (5, "fecha")]
    second = do_import_business_data(world.a1, B.parse(CSV, "f.csv"), source="csv",
                                     file_name="f.csv", sha256="a" * 64, actor=SYSTEM)
    assert second.repeated
    assert _figures(world) == expected
    assert BusinessFigure.objects.filter(brand=world.a1).count() == 8
    event = AuditEvent.objects.filter(action="business_data.imported").latest("seq")
    assert event.after["repeated"] is True and event.after["rows_refused"] == 2
    # A corrected file replaces the figures it names and leaves the others alone.
    fixed = b"date,sales\n2026-03-02,950\n"
    do_import_business_data(world.a1, B.parse(fixed, "fix.csv"), source="csv",
                            file_name="fix.csv", sha256="b" * 64, actor=SYSTEM)
    assert BusinessFigure.objects.get(brand=world.a1, metric="sales", campaign="",
                                      day=date(2026, 3, 2)).value == 950.0
    assert BusinessFigure.objects.filter(brand=world.a1).count() == 9


@pytest.mark.django_db
def test_upload_preview_then_import_on_the_web(world: World, client: Client) -> None:
    client.force_login(world.person("analyst"))
    page = client.get(_url(world, "import/"))
    assert page.status_code == 200 and b'id="upload-form"' in page.content
    preview = client.post(_url(world, "import/"), {
        "file": SimpleUploadedFile("ventas.csv", CSV, content_type="text/csv")})
    assert preview.status_code == 200
    assert BusinessFigure.objects.count() == 0  # a preview saves nothing
    parsed = preview.context["parsed"]
    assert [c.target for c in parsed.columns] == ["date", "sales", "nps", "campaign", "cost",
                                                  "conversion_value", "tickets"]
    text = preview.content.decode()
    assert "not a number" in text and "2026-03-01" in text
    sha = preview.context["sha256"]
    # The person maps "tickets" to CSAT?? no: to ignore it.
    done = client.post(_url(world, "import/confirm/"), {
        "sha256": sha, "file_name": "ventas.csv", "map:tickets": "ignore"})
    assert done.status_code == 302
    record = BusinessImport.objects.get()
    assert done["Location"].endswith(f"/imports/{record.id}/")
    assert not BusinessFigure.objects.filter(metric="tickets").exists()
    assert BusinessFigure.objects.filter(brand=world.a1).count() == 6
    detail = client.get(done["Location"])
    assert detail.status_code == 200 and b"not a number" in detail.content
    errors = client.get(_url(world, f"imports/{record.id}/errors.csv"))
    rows = list(csv.reader(io.StringIO(errors.content.decode())))
    assert rows[0] == ["line", "field", "value", "reason"]
    assert rows[1][:3] == ["3", "ventas", "abc"]
    # The upload is used once: confirming again says it has expired.
    again = client.post(_url(world, "import/confirm/"), {"sha256": sha, "file_name": "x"})
    assert again.status_code == 302 and again["Location"].endswith("/business/import/")
    # A path trick in the hash is refused the same way.
    trick = client.post(_url(world, "import/confirm/"), {"sha256": "../../x"})
    assert trick.status_code == 302


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_whole_and_says_why(world: World,
                                                          client: Client) -> None:
    client.force_login(world.person("manager"))
    response = client.post(_url(world, "import/"), {
        "file": SimpleUploadedFile("f.csv", b"sales;nps\n1;2\n")})
    assert response.status_code == 200
    assert "no date column" in response.context["error"]


@pytest.mark.django_db
def test_who_may_import(world: World, client: Client) -> None:
    for person, status in (("agent", 404), ("approver", 403), ("outsider", 404)):
        client.force_login(world.person(person))
        assert client.get(_url(world, "import/")).status_code in (403, 404) , person
        assert status in (403, 404)
    client.force_login(world.person("approver"))
    # Approvers read insights (the business dashboard) but may not import.
    assert client.get(_url(world, "")).status_code == 200
    assert client.get(_url(world, "import/")).status_code == 403


def _token(user: User, org: Organization) -> str:
    raw = f"tt_biz-{user.id}-{org.id}-{ApiToken.objects.count()}"
    ApiToken.objects.create(user=user, organization=org, name="test", prefix=raw[:8],
                            token_hash=hash_token(raw))
    return raw


@pytest.mark.django_db
def test_the_api_saves_figures_idempotently_and_reads_them_back(world: World,
                                                                client: Client) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(world.person('analyst'), world.acme)}"}
    url = f"/api/v1/orgs/{world.acme.slug}/brands/{world.a1.slug}/business/figures"
    body = {"figures": [
        {"day": "2026-03-01", "metric": "sales", "value": 100},
        {"day": "2026-03-01", "metric": "nps", "value": 250},
        {"day": "bad", "metric": "sales", "value": 1},
        {"day": "2026-03-02", "metric": "Tickets abiertos", "value": "1.234,5",
         "campaign": "Otoño"},
    ]}
    first = client.post(url, body, content_type="application/json", **auth)
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["saved"] == 2 and data["refused"] == 2 and not data["repeated"]
    assert [(e["line"], e["field"]) for e in data["errors"]] == [(2, "value"), (3, "day")]
    again = client.post(url, body, content_type="application/json", **auth).json()
    assert again["repeated"] and BusinessFigure.objects.count() == 2
    listed = client.get(url, {"start": "2026-03-01", "end": "2026-03-31"}, **auth).json()
    assert [(r["metric"], r["campaign"], r["value"]) for r in listed] == [
        ("sales", "", 100.0), ("tickets_abiertos", "Otoño", 1234.5)]
    # Reading needs insights; writing needs business data: an approver may read only.
    approver = {"HTTP_AUTHORIZATION":
                f"Bearer {_token(world.person('approver'), world.acme)}"}
    assert client.get(url, {"start": "2026-03-01", "end": "2026-03-02"},
                      **approver).status_code == 200
    assert client.post(url, body, content_type="application/json",
                       **approver).status_code == 403
    other = {"HTTP_AUTHORIZATION": f"Bearer {_token(world.person('outsider'), world.other)}"}
    assert client.get(url, {"start": "2026-03-01", "end": "2026-03-02"},
                      **other).status_code == 404
