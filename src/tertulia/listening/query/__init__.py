"""tertulia's boolean query language (Listen stage): parse, validate, match.

A documented superset of Brandwatch's query operators. Pure Python, no Django:

* ``parse(text) -> Query`` raises ``QuerySyntaxError`` (code, position, bilingual message).
* ``validate(text, lang) -> list[Diagnostic]`` never raises; for the live editor and
  ``GET /api/v1/queries/validate``.
* ``highlight(text) -> list[HighlightSpan]`` for syntax colouring.
* ``compile_queries({id: query}) -> Matcher``; ``Matcher.match(doc)`` /
  ``match_batch(docs)`` return the ids of matching queries.
* ``evaluate(query, doc)`` is the plain reference interpreter the matcher is tested
  against.
"""

from .ast import Query
from .compiler import Matcher, compile_queries
from .document import MatchDocument
from .errors import Diagnostic, QuerySyntaxError
from .fields import FIELDS
from .highlight import HighlightSpan, highlight
from .interpreter import evaluate
from .limits import LIMITS
from .parser import parse, validate

__all__ = [
    "FIELDS",
    "LIMITS",
    "Diagnostic",
    "HighlightSpan",
    "MatchDocument",
    "Matcher",
    "Query",
    "QuerySyntaxError",
    "compile_queries",
    "evaluate",
    "highlight",
    "parse",
    "validate",
]
