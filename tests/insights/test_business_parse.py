"""Reading business figures from CSV/XLSX: columns detected, every bad cell named."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from tertulia.insights import business as B


def test_columns_are_detected_in_both_languages_and_unknown_ones_become_custom() -> None:
    cols = B.detect(["Fecha", "Ventas", "NPS", "Visitas web", "Coste", "Campaña",
                     "Tickets abiertos", ""])
    assert [c.target for c in cols] == ["date", "sales", "nps", "web_visits", "cost",
                                        "campaign", "tickets_abiertos", "ignore"]
    assert cols[6].custom and not cols[1].custom


@pytest.mark.parametrize(("text", "value"), [
    ("1.234,56", 1234.56), ("1,234.56", 1234.56), ("1,5", 1.5), ("1,234", 1234.0),
    ("€ 12", 12.0), ("15 %", 15.0), ("(30)", -30.0), ("1.234.567", 1234567.0), ("", None),
    (7, 7.0), ("-3.5", -3.5),
])
def test_numbers_as_people_type_them(text: object, value: float | None) -> None:
    assert B.parse_number(text) == value


def test_dates_iso_spanish_and_spreadsheet_cells() -> None:
    assert B.parse_day("2026-03-31") == date(2026, 3, 31)
    assert B.parse_day("31/03/2026") == date(2026, 3, 31)
    assert B.parse_day(datetime(2026, 3, 31, 0, 0)) == date(2026, 3, 31)
    with pytest.raises(ValueError, match="not a date"):
        B.parse_day("03/31/2026")  # never month first


CSV = (
    "date;sales;nps;campaign;cost\n"
    "2026-03-01;1.200,50;40;;\n"
    "2026-03-02;abc;120;;\n"
    "yesterday;10;10;;\n"
    "2026-03-02;900;;Otoño;300\n"
    "2026-03-01;1300;;;\n"
    ";;;;\n"
    "2026-03-03;-5;;;\n"
).encode()


def test_every_bad_cell_is_reported_and_good_cells_are_kept() -> None:
    parsed = B.parse(CSV, "figures.csv")
    assert parsed.total_rows == 6  # the empty line is not a row
    errors = [(e.line, e.field, e.reason) for e in parsed.errors]
    assert (3, "sales", "not a number") in errors
    assert (3, "nps", "above 100, the highest NPS can be") in errors
    assert (4, "date", "not a date: write it as 2026-03-31 (or 31/03/2026)") in errors
    assert any(line == 6 and "already has this figure on line 2" in reason
               for line, _f, reason in errors)
    assert (8, "sales", "below 0, the lowest Sales can be") in errors
    rows = {(r.line, r.campaign): r.values for r in parsed.rows}
    assert rows[(2, "")] == {"sales": 1200.5, "nps": 40.0}
    assert rows[(5, "Otoño")] == {"sales": 900.0, "cost": 300.0}
    assert (3, "") not in rows  # both cells of line 3 were bad
    assert parsed.figures == 4
    assert parsed.preview[0] == ["2026-03-01", "1.200,50", "40", "", ""]


def test_xlsx_with_date_cells_and_a_mapping_chosen_in_the_preview() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Día", "Pedidos web", "Marca"])
    sheet.append([datetime(2026, 3, 1), 12, "acme-one"])
    sheet.append([datetime(2026, 3, 2), 15, "other-brand"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    parsed = B.parse(data, "f.xlsx", brand_names=("acme-one", "Acme One"),
                     mapping={"Pedidos web": "conversions"})
    assert [c.target for c in parsed.columns] == ["date", "conversions", "brand"]
    assert [(r.day, r.values) for r in parsed.rows] == [(date(2026, 3, 1),
                                                         {"conversions": 12.0})]
    assert parsed.errors[0].line == 3 and "another brand" in parsed.errors[0].reason


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "f.csv", "the file is empty"),
    (b"sales,nps\n1,2\n", "f.csv", "no date column"),
    (b"date,campaign\n2026-01-01,x\n", "f.csv", "no figure column"),
    (b"PK\x03\x04garbage", "f.xlsx", "not a valid XLSX"),
])
def test_files_that_cannot_be_imported_say_why(data: bytes, name: str, message: str) -> None:
    with pytest.raises(B.FileError, match=message):
        B.parse(data, name)


def test_the_file_decides_ambiguous_thousands() -> None:
    spanish = B.parse(b"date;sales;cost\n2026-03-01;1.200,50;1.500\n", "f.csv")
    assert spanish.rows[0].values == {"sales": 1200.5, "cost": 1500.0}
    english = B.parse(b"date,sales,cost\n2026-03-01,\"1,200.50\",1.500\n", "f.csv")
    assert english.rows[0].values == {"sales": 1200.5, "cost": 1.5}
    assert B.decimal_comma(["3,25"]) is True and B.decimal_comma(["12"]) is None


def test_reasons_read_in_spanish() -> None:
    assert B.reason_in("not a number", "es") == "no es un número"
    assert B.reason_in("above 100, the highest NPS can be", "es") == \
        "por encima de 100, el máximo de «NPS»"
    assert B.reason_in("below 0, the lowest Web visits can be", "es") == \
        "por debajo de 0, el mínimo de «Visitas web»"
    assert B.reason_in("the same day and campaign already has this figure on line 4",
                       "es") == "ese día y campaña ya tienen esta cifra en la línea 4"
    assert B.reason_in("not a number", "en") == "not a number"
    # Every reason the parser can give has its Spanish.
    parsed = B.parse(b"date;sales;nps\n2026-01-01;x;500\nnope;1;1\n2026-01-01;1;1\n", "f.csv")
    for error in parsed.errors:
        assert B.reason_in(error.reason, "es") != error.reason, error.reason
