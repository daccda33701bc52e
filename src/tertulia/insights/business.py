"""Business figures from a spreadsheet: reading CSV/XLSX, detecting the columns, and checking
every row. Pure: no Django import (openpyxl reads XLSX).

A file has one row per day (and optionally per campaign), a date column and one column per
figure. Column names are recognized in English and Spanish (`KNOWN_METRICS` aliases);
any other column with numbers becomes a **custom metric** named after it. A person can
change the detected mapping in the preview (`mapping`: header → metric key, "date",
"campaign", "brand" or "ignore").

Rows are checked one by one; a bad cell gives a `RowError(line, field, value, reason)` and
the rest of that row is still kept (good cells are never lost), a row whose date is bad is
refused whole. Empty cells are "no figure", not 0. A figure repeated for the same day and
campaign is refused on the later line. `line` is the line a spreadsheet program shows
(the header is line 1).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

MAX_ROWS = 50_000
MAX_ERRORS = 500
PREVIEW_ROWS = 10
ROLES = ("date", "campaign", "brand", "ignore")


@dataclass(frozen=True, slots=True)
class BusinessMetric:
    key: str
    label_en: str
    label_es: str
    unit: str  # "count", "money", "points"
    aliases: tuple[str, ...]
    minimum: float | None = 0.0
    maximum: float | None = None

    def label(self, lang: str) -> str:
        return self.label_es if lang == "es" else self.label_en


KNOWN_METRICS: tuple[BusinessMetric, ...] = (
    BusinessMetric("sales", "Sales", "Ventas", "money",
                   ("sales", "revenue", "ventas", "facturacion", "ingresos")),
    BusinessMetric("orders", "Orders", "Pedidos", "count", ("orders", "pedidos")),
    BusinessMetric("nps", "NPS", "NPS", "points", ("nps", "net promoter score"),
                   minimum=-100.0, maximum=100.0),
    BusinessMetric("csat", "CSAT", "CSAT", "points", ("csat", "satisfaction", "satisfaccion"),
                   minimum=0.0, maximum=100.0),
    BusinessMetric("web_visits", "Web visits", "Visitas web", "count",
                   ("web visits", "visits", "sessions", "visitas web", "visitas", "sesiones")),
    BusinessMetric("utm_clicks", "UTM clicks", "Clics UTM", "count",
                   ("utm clicks", "clicks", "clics", "clics utm")),
    BusinessMetric("conversions", "Conversions", "Conversiones", "count",
                   ("conversions", "conversiones")),
    BusinessMetric("conversion_value", "Conversion value", "Valor de las conversiones",
                   "money", ("conversion value", "valor de conversion",
                             "valor de las conversiones", "valor conversion")),
    BusinessMetric("cost", "Cost", "Coste", "money",
                   ("cost", "costs", "spend", "ad spend", "coste", "costes", "gasto",
                    "inversion")),
    BusinessMetric("leads", "Leads", "Contactos comerciales", "count",
                   ("leads", "contactos comerciales", "oportunidades", "prospectos")),
    BusinessMetric("deals", "Deals won", "Ventas cerradas", "count",
                   ("deals", "deals won", "ventas cerradas", "tratos")),
    BusinessMetric("deal_value", "Deal value", "Valor de las ventas cerradas", "money",
                   ("deal value", "deals value", "valor de las ventas cerradas",
                    "valor tratos")),
)
BY_KEY: dict[str, BusinessMetric] = {m.key: m for m in KNOWN_METRICS}
_ROLE_ALIASES = {
    "date": ("date", "day", "fecha", "dia"),
    "campaign": ("campaign", "campana", "campaign name", "utm campaign", "utm_campaign"),
    "brand": ("brand", "marca"),
}


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    header: str
    target: str  # a metric key, a custom slug, or one of ROLES
    custom: bool = False


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    field: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "value": self.value,
                "reason": self.reason}


@dataclass
class ParsedRow:
    line: int
    day: date
    campaign: str
    values: dict[str, float]


@dataclass
class Parsed:
    columns: list[Column]
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    preview: list[list[str]] = field(default_factory=list)
    errors_left_out: int = 0

    @property
    def figures(self) -> int:
        return sum(len(r.values) for r in self.rows)

    def error(self, line: int, field_: str, value: Any, reason: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, field_, _text(value)[:80], reason))
        else:
            self.errors_left_out += 1


class FileError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


def normalize(header: str) -> str:
    """Lowercase, accents off, separators to single spaces: "Visitas_Web " → "visitas web"."""
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-./]+", " ", text.lower()).strip()


def slug(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalize(header)).strip("_")[:60]


def detect(headers: list[str]) -> list[Column]:
    """A target for each header: role, known metric, or a custom metric named after it."""
    out = []
    taken: set[str] = set()
    for i, header in enumerate(headers):
        name = normalize(header)
        target, custom = "", False
        for role, aliases in _ROLE_ALIASES.items():
            if name in aliases:
                target = role
        if not target:
            for metric in KNOWN_METRICS:
                if name in metric.aliases or name == metric.key.replace("_", " "):
                    target = metric.key
        if not target:
            target, custom = (slug(header), True) if slug(header) else ("ignore", False)
        if target in taken and target != "ignore":
            target, custom = "ignore", False
        taken.add(target)
        out.append(Column(i, header, target, custom))
    return out


def apply_mapping(columns: list[Column], mapping: dict[str, str]) -> list[Column]:
    """The person's choices from the preview win over detection."""
    out = []
    for c in columns:
        choice = mapping.get(c.header)
        if choice is None or choice == "":
            out.append(c)
        elif choice in ROLES or choice in BY_KEY:
            out.append(Column(c.index, c.header, choice, False))
        else:
            out.append(Column(c.index, c.header, slug(choice) or "ignore", bool(slug(choice))))
    return out


# ---------------------------------------------------------------------------------------------
# Cells


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_day(value: Any) -> date:
    """ISO dates, day/month/year (the Spanish order; never month first), or a spreadsheet
    date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        raise ValueError("the date is empty")
    text = text.split("T")[0].split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("not a date: write it as 2026-03-31 (or 31/03/2026)")


_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+$")
_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def decimal_comma(cells: list[Any]) -> bool | None:
    """Whether the file writes decimals with a comma (1.234,5), with a dot (1,234.5), or
    None when nothing tells. Decides the ambiguous cells, such as "1.500"."""
    for cell in cells:
        if not isinstance(cell, str):
            continue
        text = re.sub(r"[\s€$£%\u00a0\u2009]", "", cell)
        if "," in text and "." in text:
            return text.rfind(",") > text.rfind(".")
    for cell in cells:
        if isinstance(cell, str) and re.fullmatch(r"-?\d+,\d{1,2}", cell.strip()):
            return True
    return None


def parse_number(value: Any, comma: bool | None = None) -> float | None:
    """A number as people type it: "1.234,5", "1,234.5", "€ 12", "15 %"; None when empty.
    `comma` (see `decimal_comma`) decides "1.500" (1500 with decimal commas, else 1.5) and
    "1,500" (1.5 with decimal commas, else 1500)."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        return float(value)
    text = _text(value)
    if not text:
        return None
    text = re.sub(r"[\s€$£%\u00a0\u2009]", "", text)
    if text.startswith("(") and text.endswith(")"):  # accounting negatives
        text = "-" + text[1:-1]
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        thousands = _THOUSANDS_COMMA.match(text) and comma is not True
        text = text.replace(",", "") if thousands else text.replace(",", ".")
    elif _THOUSANDS_DOT.match(text) and (text.count(".") > 1 or comma is True):
        text = text.replace(".", "")
    try:
        number = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a number")
    return number


# ---------------------------------------------------------------------------------------------
# Files


def read_table(data: bytes, file_name: str) -> list[list[Any]]:
    """The cells of the file's first sheet (XLSX) or of the CSV (`,` `;` or tab)."""
    if file_name.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise FileError("the file is not text (save it as CSV UTF-8 or XLSX)")
    if "\x00" in text:
        raise FileError("the file is not text (save it as CSV UTF-8 or XLSX)")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(data: bytes) -> list[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileError("the file is not a valid XLSX workbook") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for i, row in enumerate(sheet.iter_rows(values_only=True)):
            if i > MAX_ROWS + 1:
                break
            rows.append(list(row))
        return rows
    finally:
        book.close()


def parse(data: bytes, file_name: str, *, brand_names: tuple[str, ...] = (),
          mapping: dict[str, str] | None = None) -> Parsed:
    """Read, detect, check. `brand_names` are the slugs/names a "brand" column may hold (the
    brand being imported into); rows naming another brand are refused."""
    table = [r for r in read_table(data, file_name)]
    while table and not any(_text(c) for c in table[-1]):
        table.pop()
    if not table:
        raise FileError("the file is empty")
    headers = [_text(h) for h in table[0]]
    columns = apply_mapping(detect(headers), mapping or {})
    parsed = Parsed(columns)
    parsed.preview = [[_text(c) for c in row] for row in table[1:1 + PREVIEW_ROWS]]
    date_cols = [c for c in columns if c.target == "date"]
    if not date_cols:
        raise FileError("no date column: name one “date” or “fecha”, or choose it in the "
                        "mapping")
    if not any(c.target not in ROLES for c in columns):
        raise FileError("no figure column: add at least one column of numbers (sales, NPS, "
                        "web visits…)")
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise FileError(f"the file has {len(body):,} rows; at most {MAX_ROWS:,} per import")
    date_col = date_cols[0]
    campaign_col = next((c for c in columns if c.target == "campaign"), None)
    brand_col = next((c for c in columns if c.target == "brand"), None)
    names = {normalize(n) for n in brand_names}
    comma = decimal_comma([c for row in body for c in row])
    seen: dict[tuple[date, str, str], int] = {}
    for offset, row in enumerate(body):
        line = offset + 2
        cells = list(row) + [None] * (len(headers) - len(row))
        if not any(_text(c) for c in cells):
            continue
        parsed.total_rows += 1
        try:
            day = parse_day(cells[date_col.index])
        except ValueError as exc:
            parsed.error(line, date_col.header, cells[date_col.index], str(exc))
            continue
        if brand_col is not None and names:
            given = normalize(_text(cells[brand_col.index]))
            if given and given not in names:
                parsed.error(line, brand_col.header, cells[brand_col.index],
                             "another brand: import each brand's rows into that brand")
                continue
        campaign = _text(cells[campaign_col.index])[:120] if campaign_col else ""
        values: dict[str, float] = {}
        for c in columns:
            if c.target in ROLES:
                continue
            raw = cells[c.index]
            try:
                number = parse_number(raw, comma)
            except ValueError as exc:
                parsed.error(line, c.header, raw, str(exc))
                continue
            if number is None:
                continue
            known = BY_KEY.get(c.target)
            if known is not None and known.minimum is not None and number < known.minimum:
                parsed.error(line, c.header, raw, f"below {known.minimum:g}, the lowest "
                             f"{known.label_en} can be")
                continue
            if known is not None and known.maximum is not None and number > known.maximum:
                parsed.error(line, c.header, raw, f"above {known.maximum:g}, the highest "
                             f"{known.label_en} can be")
                continue
            key = (day, campaign, c.target)
            if key in seen:
                parsed.error(line, c.header, raw, f"the same day and campaign already has "
                             f"this figure on line {seen[key]}")
                continue
            seen[key] = line
            values[c.target] = number
        if values:
            parsed.rows.append(ParsedRow(line, day, campaign, values))
    return parsed


def check_records(records: list[dict[str, Any]]) -> Parsed:
    """The API's figures (`{"day", "metric", "value", "campaign"}` each) checked with the same
    rules as a file; `line` is the record's position in the list, from 1."""
    parsed = Parsed(columns=[])
    parsed.total_rows = len(records)
    seen: dict[tuple[date, str, str], int] = {}
    by_key: dict[tuple[date, str], ParsedRow] = {}
    for i, record in enumerate(records, start=1):
        metric = str(record.get("metric") or "")
        key_metric = metric if metric in BY_KEY else slug(metric)
        if not key_metric:
            parsed.error(i, "metric", metric, "empty: name a figure such as sales or nps")
            continue
        try:
            day = parse_day(record.get("day"))
        except ValueError as exc:
            parsed.error(i, "day", record.get("day"), str(exc))
            continue
        try:
            value = parse_number(record.get("value"))
        except ValueError as exc:
            parsed.error(i, "value", record.get("value"), str(exc))
            continue
        if value is None:
            parsed.error(i, "value", "", "empty: give a number")
            continue
        known = BY_KEY.get(key_metric)
        if known is not None and known.minimum is not None and value < known.minimum:
            parsed.error(i, "value", value, f"below {known.minimum:g}, the lowest "
                         f"{known.label_en} can be")
            continue
        if known is not None and known.maximum is not None and value > known.maximum:
            parsed.error(i, "value", value, f"above {known.maximum:g}, the highest "
                         f"{known.label_en} can be")
            continue
        campaign = str(record.get("campaign") or "")[:120]
        if (day, campaign, key_metric) in seen:
            parsed.error(i, "metric", metric, "the same day and campaign already has this "
                         f"figure in record {seen[(day, campaign, key_metric)]}")
            continue
        seen[(day, campaign, key_metric)] = i
        row = by_key.get((day, campaign))
        if row is None:
            row = by_key[(day, campaign)] = ParsedRow(i, day, campaign, {})
            parsed.rows.append(row)
        row.values[key_metric] = value
    return parsed


# ---------------------------------------------------------------------------------------------
# The same reasons in Spanish (the reasons above are written once, in English)

_LABELS_ES = {m.label_en: m.label_es for m in KNOWN_METRICS}
_SPANISH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(f"^{pattern}$"), es) for pattern, es in (
        (r"the date is empty", "la fecha está vacía"),
        (r"not a date: write it as 2026-03-31 \(or 31/03/2026\)",
         "no es una fecha: escríbala como 2026-03-31 (o 31/03/2026)"),
        (r"not a number", "no es un número"),
        (r"the file is not text \(save it as CSV UTF-8 or XLSX\)",
         "el archivo no es texto (guárdelo como CSV UTF-8 o XLSX)"),
        (r"the file is not a valid XLSX workbook", "el archivo no es un libro XLSX válido"),
        (r"the file is empty", "el archivo está vacío"),
        (r"no date column: .*", "no hay columna de fecha: llame a una «date» o «fecha», o "
                                "elíjala en la correspondencia"),
        (r"no figure column: .*", "no hay columna de cifras: añada al menos una columna de "
                                  "números (ventas, NPS, visitas web…)"),
        (r"the file has ([\d,]+) rows; at most ([\d,]+) per import",
         r"el archivo tiene \1 filas; como mucho \2 por importación"),
        (r"another brand: .*", "otra marca: importe las filas de cada marca en esa marca"),
        (r"below (\S+), the lowest (.+) can be", r"por debajo de \1, el mínimo de «\2»"),
        (r"above (\S+), the highest (.+) can be", r"por encima de \1, el máximo de «\2»"),
        (r"the same day and campaign already has this figure on line (\d+)",
         r"ese día y campaña ya tienen esta cifra en la línea \1"),
        (r"the same day and campaign already has this figure in record (\d+)",
         r"ese día y campaña ya tienen esta cifra en el registro \1"),
        (r"empty: name a figure such as sales or nps",
         "vacío: indique una cifra, como sales o nps"),
        (r"empty: give a number", "vacío: indique un número"),
    ))


def reason_in(reason: str, lang: str) -> str:
    """A reason of this module in the reader's language (English when unknown)."""
    if lang != "es":
        return reason
    for pattern, es in _SPANISH:
        match = pattern.match(reason)
        if match:
            text = match.expand(es)
            for en_label, es_label in _LABELS_ES.items():
                text = text.replace(f"«{en_label}»", f"«{es_label}»")
            return text
    return reason
