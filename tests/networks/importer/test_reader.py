import io
import json
import tracemalloc

import pytest

from tertulia.networks.importer import (
    ImportConfigError,
    ImportReader,
    ParsedRow,
    RowError,
    batched,
    detect_mapping,
    open_import,
    write_error_report,
)
from tertulia.networks.importer.reader import MAX_LINE_BYTES
from tertulia.networks.items import Network


def corpus_line(n, **overrides):
    row = {
        "network": "x",
        "external_id": f"id-{n}",
        "author_handle": f"user{n}",
        "author_followers": n,
        "created_at": "2024-05-14T08:30:00Z",
        "text": f"Post número {n} sobre Café Aurora",
        "url": f"https://x.example/user{n}/status/{n}",
        "lang_hint": "es",
    }
    row.update(overrides)
    return json.dumps(row, ensure_ascii=False)


def read(data: bytes, **options):
    return list(ImportReader(io.BytesIO(data), **options))


def test_jsonl_good_rows_kept_bad_rows_reported_with_line_numbers():
    data = "\n".join(
        [
            corpus_line(1),
            "{not json",
            "",
            corpus_line(4, author_followers=-5),
            "[1, 2]",
            corpus_line(6, created_at="yesterday"),
            corpus_line(7),
        ]
    ).encode()
    rows = read(data, format="jsonl", source="corpus.jsonl")
    good = [r for r in rows if isinstance(r, ParsedRow)]
    bad = [r for r in rows if isinstance(r, RowError)]
    assert [r.line_no for r in good] == [1, 7]
    assert good[0].item.raw_ref == "import:corpus.jsonl:1"
    assert [(e.line_no, e.field) for e in bad] == [
        (2, "line"),
        (4, "author_followers"),
        (5, "line"),
        (6, "created_at"),
    ]
    assert "not valid JSON" in bad[0].reason
    assert bad[1].value == "-5"


def test_reading_twice_gives_identical_items():
    data = "\n".join(corpus_line(n) for n in range(50)).encode()
    assert read(data, format="jsonl") == read(data, format="jsonl")


def test_invalid_utf8_and_oversized_lines_are_row_errors():
    huge = corpus_line(2, text="a" * 10).replace("a" * 10, "a" * (MAX_LINE_BYTES + 10))
    data = (
        corpus_line(1).encode()
        + b"\n\xff\xfe bad\n"
        + huge.encode()
        + b"\n"
        + (corpus_line(4).encode())
    )
    rows = read(data, format="jsonl")
    assert [type(r).__name__ for r in rows] == ["ParsedRow", "RowError", "RowError", "ParsedRow"]
    assert "utf-8" in rows[1].reason and rows[1].line_no == 2
    assert "longer than" in rows[2].reason and rows[2].line_no == 3
    assert rows[3].line_no == 4


BRANDWATCH_CSV = (
    "\ufeffQuery Name,Date,Title,Url,Page Type,Author,Full Name,Full Text,Language,"
    "Twitter Followers,Twitter Verified,Mention Id\n"
    "Aurora,2024-05-14 08:30:00.0,,https://x.example/a/1,twitter,ana,Ana Ruiz,"
    '"Hola, ""Café Aurora""\n'
    'segunda línea",es,"1,234",true,111\n'
    "Aurora,not a date,,https://x.example/b/2,twitter,bob,,texto,es,12,false,112\n"
    "Aurora,2024-05-14 09:00:00,,https://q.example/3,tumblr,cris,,post,en,2K,no,113\n"
)


def test_brandwatch_like_csv_is_auto_mapped():
    rows = read(BRANDWATCH_CSV.encode(), format="csv", source="bw.csv")
    first, error, third = rows
    assert isinstance(first, ParsedRow) and first.line_no == 2
    item = first.item
    assert (item.external_id, item.network, item.author.handle) == ("111", Network.X, "ana")
    assert item.text == 'Hola, "Café Aurora"\nsegunda línea'
    assert item.author.followers == 1234 and item.author.verified is True
    assert error == RowError(4, "created_at", "not a date", error.reason)
    assert "ISO 8601" in error.reason
    assert isinstance(third, ParsedRow) and third.line_no == 5
    assert third.item.network is Network.OTHER
    assert third.item.extra == {"source_network": "tumblr"}
    assert third.item.author.followers == 2000


def test_explicit_mapping_defaults_and_semicolons():
    data = "Fecha;Usuario;Mensaje;Enlace\n14/05/2024 10:30;@ana;¡Hola!;https://fb.example/p/1\n"
    rows = read(
        data.encode(),
        format="csv",
        mapping={
            "created_at": "Fecha",
            "author_handle": "Usuario",
            "text": "Mensaje",
            "url": "Enlace",
        },
        defaults={"network": "facebook"},
        date_format="%d/%m/%Y %H:%M",
    )
    (row,) = rows
    assert row.item.network is Network.FACEBOOK
    assert row.item.created_at.isoformat() == "2024-05-14T10:30:00+00:00"
    # No id column: a stable id is derived from the URL.
    assert row.item.external_id.startswith("imp-")
    assert (
        read(
            data.encode(),
            format="csv",
            mapping={
                "created_at": "Fecha",
                "author_handle": "Usuario",
                "text": "Mensaje",
                "url": "Enlace",
            },
            defaults={"network": "facebook"},
            date_format="%d/%m/%Y %H:%M",
        )
        == rows
    )


def test_mapping_errors_stop_before_reading():
    with pytest.raises(ImportConfigError, match="not in the file"):
        read(b"a,b\n1,2\n", format="csv", mapping={"text": "Texto"})
    with pytest.raises(ImportConfigError, match="unknown field"):
        ImportReader(io.BytesIO(b""), format="csv", mapping={"sentiment": "x"})
    with pytest.raises(ImportConfigError, match="UTF-8"):
        ImportReader(io.BytesIO(b""), format="csv", encoding="utf-16")


def test_csv_row_with_too_many_columns_is_reported():
    data = b"id,network,author,date,text\n1,x,ana,2024-05-14T08:00:00Z,hola,extra\n"
    (error,) = read(data, format="csv")
    assert error.line_no == 2 and "6 columns" in error.reason


def test_detect_mapping_prefers_specific_names():
    mapping = detect_mapping(["Snippet", "Full Text", "Author", "Page Type", "Date"])
    assert mapping["text"] == "Full Text"
    assert mapping["network"] == "Page Type"


def test_error_report_is_spreadsheet_safe(tmp_path):
    out = io.StringIO()
    count = write_error_report(
        [RowError(3, "text", '=HYPERLINK("x")', "bad"), RowError(9, "url", "ftp://x", "no")],
        out,
    )
    assert count == 2
    assert out.getvalue().splitlines() == [
        "line,field,value,reason",
        '3,text,"\'=HYPERLINK(""x"")",bad',
        "9,url,ftp://x,no",
    ]


def test_batched():
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError):
        list(batched([], 0))


def test_open_import_reports_progress(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(corpus_line(n) for n in range(10)) + "\n", encoding="utf-8")
    with open_import(path) as reader:
        rows = list(reader)
        assert reader.bytes_read == reader.total_bytes == path.stat().st_size
    assert len(rows) == 10 and rows[0].item.raw_ref == "import:corpus.jsonl:1"


def _peak_while_reading(path):
    tracemalloc.start()
    try:
        count = 0
        with open_import(path) as reader:
            for batch in batched(reader, 500):
                count += len(batch)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_does_not_grow_with_file_size(tmp_path):
    filler = "café aurora " * 170  # ~2 KB lines keep the row count (and time) modest
    small, big = tmp_path / "small.jsonl", tmp_path / "big.jsonl"
    with small.open("w", encoding="utf-8") as out:
        for n in range(2_500):
            out.write(corpus_line(n, text=filler) + "\n")
    with big.open("w", encoding="utf-8") as out:
        n = 0
        while out.tell() < 50 * 1024 * 1024:
            out.write(corpus_line(n, text=filler) + "\n")
            n += 1
    small_count, small_peak = _peak_while_reading(small)
    big_count, big_peak = _peak_while_reading(big)
    assert big_count > 8 * small_count
    # Same batches in flight whatever the size: the peak must not scale with the file.
    assert big_peak < small_peak * 1.5 + 1_000_000
    assert big_peak < 20 * 1024 * 1024
