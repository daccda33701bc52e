"""Streaming reader for JSONL and CSV exports, in constant memory for any file size.

The reader yields, in file order, either ``ParsedRow(line_no, item)`` for a good row or
``RowError(line_no, field, value, reason)`` for each problem of a bad row. Bad rows never
stop the import: the good ones are kept and the errors go to the report. Reading the same
file twice yields equal items (ids derived deterministically where a file has none), so a
re-run changes nothing once the pipeline deduplicates on ``(network, external_id)``.

Memory stays flat because the file is read one physical line at a time with a cap on the
line length (``MAX_LINE_BYTES``); nothing accumulates across rows.

Line numbers are 1-based physical lines; for a CSV record spanning several lines (a quoted
newline) it is the line where the record starts. The CSV header is line 1.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple, TypeVar

from ..items import FLAT_FIELDS, ItemValidationError, NetworkItem, item_from_dict, parse_network

__all__ = [
    "CSV_SYNONYMS",
    "MAX_LINE_BYTES",
    "ImportConfigError",
    "ImportReader",
    "ParsedRow",
    "RawRow",
    "RowBuilder",
    "RowError",
    "batched",
    "detect_format",
    "detect_mapping",
    "open_import",
]

MAX_LINE_BYTES = 2 * 1024 * 1024
_VALUE_PREVIEW = 200
Format = Literal["jsonl", "csv"]
T = TypeVar("T")


class ParsedRow(NamedTuple):
    """A good row: its line number and the validated item."""

    line_no: int
    item: NetworkItem


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row, as written to the error report."""

    line_no: int
    field: str
    value: str
    reason: str

    def message(self) -> str:
        return f"line {self.line_no}: {self.field} = {self.value}: {self.reason}"


class ImportConfigError(ValueError):
    """The import cannot start (unknown format, a mapped column missing from the header…)."""


# Fields a CSV column can be mapped to: the flat corpus format.
TARGET_FIELDS: frozenset[str] = frozenset(
    {
        "network",
        "external_id",
        "kind",
        "thread_id",
        "parent_id",
        "text",
        "html",
        "title",
        "url",
        "created_at",
        "lang_hint",
        "rating",
        "channel",
    }
    | set(FLAT_FIELDS)
)

# Column names used by common exports (Brandwatch, Talkwalker, Sprout Social, X/Meta
# downloads, spreadsheets), normalized to lowercase words. First match wins, so the more
# specific names come first ("full text" before "snippet").
CSV_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external id",
        "mention id",
        "resource id",
        "post id",
        "message id",
        "tweet id",
        "status id",
        "guid",
        "id",
    ),
    "network": (
        "network",
        "page type",
        "source type",
        "platform",
        "content source",
        "social network",
    ),
    "author_handle": (
        "author handle",
        "author username",
        "author",
        "username",
        "user name",
        "screen name",
        "handle",
        "from",
        "author nickname",
        "extra author attributes short name",
    ),
    "author_name": (
        "author name",
        "full name",
        "display name",
        "author display name",
        "extra author attributes name",
        "name",
    ),
    "author_followers": (
        "author followers",
        "followers",
        "twitter followers",
        "followers count",
        "follower count",
        "author followers count",
    ),
    "author_verified": ("author verified", "verified", "twitter verified"),
    "author_location": ("author location", "location", "user location"),
    "author_profile_url": ("author profile url", "author url", "profile url"),
    "created_at": (
        "created at",
        "created at utc",
        "date",
        "published",
        "published at",
        "publish date",
        "post date",
        "timestamp",
        "timestamp utc",
        "created",
        "date time",
        "datetime",
        "time",
    ),
    "text": (
        "text",
        "full text",
        "content",
        "message",
        "body",
        "post text",
        "post",
        "mention",
        "snippet",
    ),
    "title": ("title", "headline", "subject"),
    "url": ("url", "link", "permalink", "post url", "original url", "post link"),
    "lang_hint": ("lang hint", "lang", "language"),
    "kind": ("kind", "item kind"),
    "thread_id": ("thread id", "conversation id"),
    "parent_id": ("parent id", "in reply to id", "in reply to status id", "reply to id"),
    "likes": ("likes", "like count", "favorites", "favourites", "reactions"),
    "comments": ("comments", "comment count", "replies", "reply count"),
    "shares": ("shares", "share count", "retweets", "retweet count", "reposts"),
    "views": ("views", "view count", "impressions", "video views"),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon", "lng"),
    "rating": ("rating", "stars", "star rating"),
}
_INT_FIELDS = frozenset(
    {"author_followers", "likes", "comments", "shares", "views", "saves", "quotes"}
)
_BOOL_WORDS = {
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
    "si": True,
    "sí": True,
    "verified": True,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
    "": False,
}
_THOUSANDS = re.compile(r"^\d{1,3}([.,\u00a0 ]\d{3})+$")
_SUFFIXED = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([kKmM])$")
_NORMALIZE = re.compile(r"[^0-9a-z]+")


def _norm(column: str) -> str:
    return _NORMALIZE.sub(" ", column.strip().lower()).strip()


def detect_mapping(header: Iterable[str]) -> dict[str, str]:
    """Guess ``{our_field: their_column}`` from a CSV header by well-known column names."""
    by_norm: dict[str, str] = {}
    for column in header:
        by_norm.setdefault(_norm(column), column)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field, names in CSV_SYNONYMS.items():
        for name in names:
            column = by_norm.get(name)
            if column is not None and column not in used:
                mapping[field] = column
                used.add(column)
                break
    return mapping


def detect_format(path: str | Path) -> Format:
    """``jsonl`` or ``csv`` from the file name; raises ImportConfigError otherwise."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffixes and suffixes[-1] in (".csv", ".tsv", ".txt"):
        return "csv"
    raise ImportConfigError(f"cannot tell the format of {path}: name it .jsonl or .csv")


def batched(iterable: Iterable[T], n: int) -> Iterator[list[T]]:
    """Lists of up to ``n`` consecutive elements (itertools.batched arrives in 3.12)."""
    if n < 1:
        raise ValueError("batch size must be at least 1")
    iterator = iter(iterable)
    while batch := list(islice(iterator, n)):
        yield batch


def _preview(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _VALUE_PREVIEW else text[: _VALUE_PREVIEW - 1] + "…"


def parse_when(value: object, naive_tz: tzinfo, date_format: str | None = None) -> object:
    """A datetime for the date formats exports use; the value unchanged if none fits.

    Accepts ISO 8601 (with or without ``T``, ``Z``, fractions), epoch seconds or
    milliseconds, RFC 2822 (mail, RSS) and, when given, a ``strptime`` ``date_format``.
    Values without a zone get ``naive_tz``.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=naive_tz)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 100_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return value
    if not isinstance(value, str):
        return value
    text = value.strip()
    parsed: datetime | None = None
    if date_format:
        try:
            parsed = datetime.strptime(text, date_format)
        except ValueError:
            parsed = None
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None and text.isdigit():
        return parse_when(int(text), naive_tz)
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=naive_tz)


def _count(value: str) -> object:
    text = value.strip()
    if _THOUSANDS.match(text):
        return int(re.sub(r"\D", "", text))
    suffixed = _SUFFIXED.match(text)
    if suffixed:
        number = float(suffixed.group(1).replace(",", "."))
        return int(number * (1_000 if suffixed.group(2) in "kK" else 1_000_000))
    return text


def _derived_id(row: Mapping[str, Any]) -> str:
    # Stable across runs and files: the same row always gets the same id.
    if row.get("url"):
        basis = str(row["url"])
    else:
        basis = "\x1f".join(
            str(row.get(k, "")) for k in ("network", "author_handle", "created_at", "text")
        )
    return "imp-" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _row_errors(line_no: int, exc: ItemValidationError) -> Iterator[RowError]:
    for error in exc.errors:
        value = "(missing)" if repr(error.value) == "(missing)" else _preview(error.value)
        yield RowError(line_no, error.field, value, error.reason)


class RawRow(NamedTuple):
    """A row read but not yet validated: a JSONL line's text or a CSV row's fields."""

    line_no: int
    payload: str | dict[str, Any]


@dataclass(frozen=True)
class RowBuilder:
    """Turns raw rows into items: a file's defaults, time zone and date format. Plain data,
    so worker processes can be given one."""

    source: str
    defaults: dict[str, str]
    naive_tz: tzinfo
    date_format: str | None

    def rows(self, line_no: int, payload: str | dict[str, Any]) -> Iterator[ParsedRow | RowError]:
        """A raw row's item, or its errors."""
        if isinstance(payload, dict):
            yield from self.build(line_no, payload)
            return
        try:
            data = json.loads(payload)
        except RecursionError:
            yield RowError(line_no, "line", _preview(payload.strip()), "JSON nests too deeply")
            return
        except ValueError as exc:
            yield RowError(line_no, "line", _preview(payload.strip()), f"not valid JSON: {exc}")
            return
        if not isinstance(data, dict):
            yield RowError(
                line_no, "line", _preview(payload.strip()), "each line must be a JSON object {...}"
            )
            return
        yield from self.build(line_no, data)

    def build(self, line_no: int, data: dict[str, Any]) -> Iterator[ParsedRow | RowError]:
        for key, value in self.defaults.items():
            if data.get(key) in (None, ""):
                data[key] = value
        if "created_at" in data:
            data["created_at"] = parse_when(data["created_at"], self.naive_tz, self.date_format)
        data.setdefault("raw_ref", f"import:{self.source}:{line_no}")
        try:
            item = item_from_dict(data, naive_tz=self.naive_tz)
        except ItemValidationError as exc:
            yield from _row_errors(line_no, exc)
            return
        yield ParsedRow(line_no, item)


class _Lines:
    """Physical lines of a binary stream, decoded, each capped at ``MAX_LINE_BYTES``."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self.stream = stream
        self.encoding = codecs.lookup(encoding).name
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self.line_no = 0
        self.bytes_read = 0
        self.oversized: set[int] = set()
        self.undecodable: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self.stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            raise StopIteration
        self.line_no += 1
        self.bytes_read += len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            # Skip the rest of this line without holding it: constant memory.
            while True:
                rest = self.stream.readline(MAX_LINE_BYTES)
                self.bytes_read += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            self.oversized.add(self.line_no)
            return "\n"
        if self.line_no == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            return self.decoder.decode(raw)
        except UnicodeDecodeError as exc:
            self.decoder.reset()
            self.undecodable[self.line_no] = f"not valid {self.encoding} at byte {exc.start}"
            return "\n"


class ImportReader:
    """Iterate the rows of one export file; ``bytes_read`` drives a progress bar.

    ``mapping`` (CSV only) is ``{our_field: their_column}``; fields not in it are
    auto-detected from the header (``detect_mapping``). ``defaults`` supplies values for
    fields the file lacks (e.g. ``{"network": "x"}``). Naive dates are taken in
    ``naive_tz`` (UTC unless told: exports usually are). ``source`` names the file in each
    item's ``raw_ref`` (``import:<source>:<line>``).
    """

    def __init__(
        self,
        stream: IO[bytes],
        *,
        format: Format,
        source: str = "upload",
        mapping: Mapping[str, str] | None = None,
        defaults: Mapping[str, str] | None = None,
        naive_tz: tzinfo = UTC,
        date_format: str | None = None,
        delimiter: str | None = None,
        encoding: str = "utf-8",
        total_bytes: int | None = None,
    ) -> None:
        if format not in ("jsonl", "csv"):
            raise ImportConfigError(f"unknown format {format!r}; use 'jsonl' or 'csv'")
        unknown = sorted(set(mapping or {}) - TARGET_FIELDS) + sorted(
            set(defaults or {}) - TARGET_FIELDS
        )
        if unknown:
            raise ImportConfigError(
                f"unknown field(s) {', '.join(unknown)}; map to: {', '.join(sorted(TARGET_FIELDS))}"
            )
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportConfigError(f"unknown encoding {encoding!r}") from None
        if encoding.lower().replace("-", "").replace("_", "").startswith("utf16"):
            raise ImportConfigError("UTF-16 files are not supported; save the file as UTF-8")
        self.format = format
        self.source = source
        self.mapping = dict(mapping or {})
        self.defaults = dict(defaults or {})
        self.naive_tz = naive_tz
        self.date_format = date_format
        self.delimiter = delimiter
        self.total_bytes = total_bytes
        self.builder = RowBuilder(source, self.defaults, naive_tz, date_format)
        self.columns: dict[str, str] = {}  # the mapping in effect once the header is read
        self._lines = _Lines(stream, encoding)

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

    def __iter__(self) -> Iterator[ParsedRow | RowError]:
        return self._jsonl() if self.format == "jsonl" else self._csv()

    def raw(self) -> Iterator[RawRow | RowError]:
        """The rows before validation (see `RawRow`), for `builder` to turn into items
        elsewhere (in worker processes). Problems found while reading come as errors."""
        return self._jsonl(raw=True) if self.format == "jsonl" else self._csv(raw=True)

    def _jsonl(self, raw: bool = False) -> Iterator[Any]:
        lines = self._lines
        for text in lines:
            line_no = lines.line_no
            if line_no in lines.oversized:
                yield RowError(
                    line_no, "line", "(too long)", f"line is longer than {MAX_LINE_BYTES} bytes"
                )
                continue
            if line_no in lines.undecodable:
                yield RowError(line_no, "line", "(bytes)", lines.undecodable.pop(line_no))
                continue
            if not text.strip():
                continue
            if raw:
                yield RawRow(line_no, text)
            else:
                yield from self.builder.rows(line_no, text)

    def _csv(self, raw: bool = False) -> Iterator[Any]:
        lines = self._lines
        first = next(lines, None)
        if first is None:
            return
        delimiter = self.delimiter or _sniff_delimiter(first)
        header = next(csv.reader([first], delimiter=delimiter), [])
        header = [h.strip() for h in header]
        columns = detect_mapping(header)
        missing = sorted(c for c in self.mapping.values() if c not in header)
        if missing:
            raise ImportConfigError(
                f"column(s) {', '.join(missing)} not in the file; it has: {', '.join(header)}"
            )
        columns.update(self.mapping)
        self.columns = columns
        index = {field: header.index(column) for field, column in columns.items()}
        derive_id = "external_id" not in index
        reader = csv.reader(lines, delimiter=delimiter)
        while True:
            start = lines.line_no + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RowError(start, "line", "(unreadable)", f"CSV error: {exc}")
                continue
            if start in lines.oversized:
                yield RowError(
                    start, "line", "(too long)", f"line is longer than {MAX_LINE_BYTES} bytes"
                )
                continue
            if start in lines.undecodable:
                yield RowError(start, "line", "(bytes)", lines.undecodable.pop(start))
                continue
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                yield RowError(
                    start,
                    "line",
                    _preview(delimiter.join(row)),
                    f"{len(row)} columns, the header has {len(header)}",
                )
                continue
            data: dict[str, Any] = {}
            for field, position in index.items():
                cell = row[position].strip() if position < len(row) else ""
                if cell == "":
                    continue
                data[field] = self._coerce(field, cell)
            if "network" in data:
                data.update(_lenient_network(data["network"]))
            if derive_id:
                data["external_id"] = _derived_id(data)
            if raw:
                yield RawRow(start, data)
            else:
                yield from self.builder.build(start, data)

    @staticmethod
    def _coerce(field: str, cell: str) -> object:
        if field in _INT_FIELDS:
            return _count(cell)
        if field == "author_verified":
            return _BOOL_WORDS.get(cell.lower(), cell)
        return cell


def _lenient_network(value: str) -> dict[str, Any]:
    # Exports name networks we do not model (tumblr, qq…): keep the row under "other" and
    # remember the original name rather than refusing it.
    try:
        return {"network": parse_network(value)}
    except ValueError:
        return {"network": "other", "extra": {"source_network": value[:100]}}


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@contextmanager
def open_import(
    path: str | Path, *, format: Format | None = None, **options: Any
) -> Iterator[ImportReader]:
    """Open ``path`` and yield an ``ImportReader`` over it; the file is closed on exit.

    The format comes from the file name unless ``format`` is given; other keyword
    arguments go to ``ImportReader``.
    """
    path = Path(path)
    chosen = format or detect_format(path)
    settings: dict[str, Any] = {"source": path.name, "total_bytes": path.stat().st_size}
    settings.update(options)
    with path.open("rb") as stream:
        yield ImportReader(stream, format=chosen, **settings)
