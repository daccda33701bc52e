"""Typed, bilingual query errors.

Every error has a stable ``code`` (the API and the editor key on it), a position in the
query, and a message plus a hint in English and Spanish. Messages name the place
(``at column 23``) and the hint says how to fix it. The catalogue below is also what
``docs.py`` publishes, so a new code is documented the moment it is added here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["MESSAGES", "Diagnostic", "Lang", "QuerySyntaxError", "line_column"]

Lang = Literal["en", "es"]

# code -> (message_en, message_es, hint_en, hint_es); ``{name}`` placeholders come from
# the ``params`` of the error. Keep codes stable: clients switch on them.
MESSAGES: dict[str, tuple[str, str, str, str]] = {
    "empty_query": (
        "The query is empty",
        "La consulta está vacía",
        "Write at least one term, for example: acme",
        "Escribe al menos un término, por ejemplo: acme",
    ),
    "query_too_long": (
        "The query has {length} characters; the limit is {limit}",
        "La consulta tiene {length} caracteres; el límite es {limit}",
        "Split it into several queries or remove repeated terms",
        "Divídela en varias consultas o quita términos repetidos",
    ),
    "too_deep": (
        "Groups are nested more than {limit} levels deep",
        "Los grupos están anidados a más de {limit} niveles",
        "Remove parentheses that are not needed",
        "Quita los paréntesis que no hacen falta",
    ),
    "too_many_terms": (
        "The query has more than {limit} terms",
        "La consulta tiene más de {limit} términos",
        "Split it into several queries",
        "Divídela en varias consultas",
    ),
    "too_many_short_wildcards": (
        "More than {limit} short wildcards (only two letters before * or ?)",
        "Más de {limit} comodines cortos (solo dos letras antes de * o ?)",
        "Write more letters before the wildcard",
        "Escribe más letras antes del comodín",
    ),
    "expected_term": (
        "Expected a term after {op}",
        "Se esperaba un término después de {op}",
        'Add a word, a "phrase" or a (group) after {op}, or remove {op}',
        'Añade una palabra, una "frase" o un (grupo) después de {op}, o quita {op}',
    ),
    "expected_term_before": (
        "Expected a term before {op}",
        "Se esperaba un término antes de {op}",
        "Add a word before {op}, or remove {op}",
        "Añade una palabra antes de {op}, o quita {op}",
    ),
    "unexpected_token": (
        "Unexpected {token}",
        "{token} inesperado",
        "Remove it or put it in quotes to search for it",
        "Quítalo o ponlo entre comillas para buscarlo",
    ),
    "unmatched_close_paren": (
        "This ')' has no matching '('",
        "Este ')' no tiene su '('",
        "Remove it or add '(' where the group starts",
        "Quítalo o añade '(' donde empieza el grupo",
    ),
    "unclosed_paren": (
        "This '(' is never closed",
        "Este '(' nunca se cierra",
        "Add ')' where the group ends",
        "Añade ')' donde termina el grupo",
    ),
    "unclosed_quote": (
        "This quote is never closed",
        "Estas comillas nunca se cierran",
        'Add the closing " after the phrase',
        'Añade las comillas de cierre " después de la frase',
    ),
    "unclosed_comment": (
        "This comment is never closed",
        "Este comentario nunca se cierra",
        "End the comment with >>>",
        "Termina el comentario con >>>",
    ),
    "unclosed_brace": (
        "This '{{' is never closed",
        "Esta '{{' nunca se cierra",
        "Add '}}' after the case-sensitive word, for example {{BT}}",
        "Añade '}}' después de la palabra, por ejemplo {{BT}}",
    ),
    "empty_group": (
        "The parentheses are empty",
        "Los paréntesis están vacíos",
        "Put terms inside or remove them",
        "Pon términos dentro o quítalos",
    ),
    "empty_phrase": (
        "The phrase has no words",
        "La frase no tiene palabras",
        "Write words between the quotes or remove them",
        "Escribe palabras entre las comillas o quítalas",
    ),
    "empty_case_sensitive": (
        "The braces {{}} are empty",
        "Las llaves {{}} están vacías",
        "Write the exact spelling inside, for example {{BT}}",
        "Escribe dentro la grafía exacta, por ejemplo {{BT}}",
    ),
    "case_sensitive_too_long": (
        "{{…}} holds {length} characters; the limit is {limit}",
        "{{…}} contiene {length} caracteres; el límite es {limit}",
        "Shorten it, or drop the braces to match any case",
        "Acórtalo, o quita las llaves para buscar sin distinguir mayúsculas",
    ),
    "case_sensitive_wildcard": (
        "Wildcards are not allowed inside {{…}}",
        "No se admiten comodines dentro de {{…}}",
        "Remove * and ? from the case-sensitive word",
        "Quita * y ? de la palabra entre llaves",
    ),
    "mixed_and_or": (
        "AND and OR are mixed at the same level",
        "AND y OR están mezclados en el mismo nivel",
        "Add parentheses to say which goes first, for example (a AND b) OR c",
        "Añade paréntesis para indicar qué va primero, por ejemplo (a AND b) OR c",
    ),
    "only_negative": (
        "The query only excludes terms",
        "La consulta solo excluye términos",
        "Add something to look for, for example: acme NOT job",
        "Añade algo que buscar, por ejemplo: acme NOT empleo",
    ),
    "wildcard_at_start": (
        "A wildcard cannot start a word",
        "Un comodín no puede empezar una palabra",
        "Put at least {limit} letters before * or ?",
        "Pon al menos {limit} letras antes de * o ?",
    ),
    "wildcard_stem_too_short": (
        "{word} has fewer than {limit} letters before the wildcard",
        "{word} tiene menos de {limit} letras antes del comodín",
        "Put at least {limit} letters before * or ?",
        "Pon al menos {limit} letras antes de * o ?",
    ),
    "near_syntax": (
        "NEAR needs a distance",
        "NEAR necesita una distancia",
        "Write it as NEAR/3 (any order) or NEAR/3f (in this order)",
        "Escríbelo como NEAR/3 (en cualquier orden) o NEAR/3f (en este orden)",
    ),
    "distance_too_large": (
        "The distance {value} is above the limit of {limit}",
        "La distancia {value} supera el límite de {limit}",
        "Use a distance of at most {limit} words",
        "Usa una distancia de como mucho {limit} palabras",
    ),
    "near_operand": (
        "{op} joins words, phrases, OR groups and other NEAR; here it has {what}",
        "{op} une palabras, frases, grupos OR y otros NEAR; aquí tiene {what}",
        "Move AND, NOT and fields outside: (a NEAR/3 b) AND c",
        "Saca AND, NOT y los campos fuera: (a NEAR/3 b) AND c",
    ),
    "proximity_syntax": (
        '~ must follow a "phrase" or a (group) directly and be followed by a number',
        '~ debe ir justo después de una "frase" o un (grupo) y seguido de un número',
        'Write it as "apple juice"~5 or (apple AND juice)~5',
        'Escríbelo como "zumo manzana"~5 o (zumo AND manzana)~5',
    ),
    "proximity_group": (
        "A group followed by ~ must join its parts with AND",
        "Un grupo seguido de ~ debe unir sus partes con AND",
        "Write it as ((apple OR orange) AND (phone OR smartphone))~5",
        "Escríbelo como ((manzana OR naranja) AND (móvil OR teléfono))~5",
    ),
    "too_many_phrase_words": (
        "A proximity phrase may have at most {limit} words",
        "Una frase con proximidad puede tener como mucho {limit} palabras",
        "Use NEAR/n between groups instead",
        "Usa NEAR/n entre grupos en su lugar",
    ),
    "unknown_field": (
        "Unknown field {name}:",
        "Campo desconocido {name}:",
        "{did_you_mean}To search for the text itself, put it in quotes",
        "{did_you_mean_es}Para buscar el texto, ponlo entre comillas",
    ),
    "field_value_missing": (
        "The field {name}: has no value",
        "El campo {name}: no tiene valor",
        "Write the value right after the colon, for example {example}",
        "Escribe el valor justo después de los dos puntos, por ejemplo {example}",
    ),
    "invalid_field_value": (
        "{name}: does not accept {value}",
        "{name}: no acepta {value}",
        "{expected}",
        "{expected_es}",
    ),
    "range_syntax": (
        "Expected a range such as [500 TO 100000]",
        "Se esperaba un rango como [500 TO 100000]",
        "Write [low TO high] with TO in upper case",
        "Escribe [mínimo TO máximo] con TO en mayúsculas",
    ),
    "range_order": (
        "The range starts at {low}, after its end {high}",
        "El rango empieza en {low}, después de su final {high}",
        "Swap the two values: [{high} TO {low}]",
        "Intercambia los valores: [{high} TO {low}]",
    ),
    "range_not_allowed": (
        "{name}: does not take a range",
        "{name}: no admite un rango",
        "Give a single value, for example {example}",
        "Da un único valor, por ejemplo {example}",
    ),
    "nested_field": (
        "A field cannot contain another field",
        "Un campo no puede contener otro campo",
        "Join the fields with AND instead: title:apple AND site:example.com",
        "Une los campos con AND: title:manzana AND site:ejemplo.com",
    ),
    "stray_bracket": (
        "'{char}' is only used in ranges",
        "'{char}' solo se usa en rangos",
        "Write ranges after a field, for example authorFollowers:[500 TO 100000]",
        "Escribe los rangos tras un campo, por ejemplo authorFollowers:[500 TO 100000]",
    ),
    "dash_negation": (
        "A leading '-' does not exclude {word}",
        "Un '-' inicial no excluye {word}",
        "Write NOT {word}",
        "Escribe NOT {word}",
    ),
    "no_searchable_text": (
        "{word} holds no searchable word; punctuation is ignored",
        "{word} no contiene ninguna palabra buscable; la puntuación se ignora",
        'Use raw:"{word}" to match it exactly',
        'Usa raw:"{word}" para buscarlo exactamente',
    ),
}


def line_column(source: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``position`` in ``source``."""
    line = source.count("\n", 0, position) + 1
    start = source.rfind("\n", 0, position) + 1
    return line, position - start + 1


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in a query, ready for the editor and the API (JSON-friendly)."""

    code: str
    severity: Literal["error", "warning"]
    start: int
    end: int
    line: int
    column: int
    message: str
    hint: str

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed or is not valid.

    ``position``/``end`` are 0-based character offsets into the query; ``line`` and
    ``column`` are 1-based. ``message(lang)`` includes the place (``at column 23``);
    ``hint(lang)`` says how to fix it.
    """

    def __init__(
        self,
        code: str,
        source: str,
        position: int,
        end: int | None = None,
        **params: object,
    ) -> None:
        if code not in MESSAGES:
            raise KeyError(f"undocumented query error code {code!r}")
        self.code = code
        self.source = source
        self.position = max(0, min(position, len(source)))
        self.end = max(self.position, end if end is not None else self.position + 1)
        self.params = {k: str(v) for k, v in params.items()}
        self.line, self.column = line_column(source, self.position)
        super().__init__(self.message("en"))

    def _where(self, lang: Lang) -> str:
        multiline = "\n" in self.source
        if lang == "es":
            if multiline:
                return f"en la línea {self.line}, columna {self.column}"
            return f"en la columna {self.column}"
        if multiline:
            return f"at line {self.line}, column {self.column}"
        return f"at column {self.column}"

    def message(self, lang: Lang = "en") -> str:
        en, es, _, _ = MESSAGES[self.code]
        text = (es if lang == "es" else en).format_map(_Defaults(self.params))
        return f"{text} {self._where(lang)}"

    def hint(self, lang: Lang = "en") -> str:
        _, _, en, es = MESSAGES[self.code]
        return (es if lang == "es" else en).format_map(_Defaults(self.params))

    @property
    def message_en(self) -> str:
        return self.message("en")

    @property
    def message_es(self) -> str:
        return self.message("es")

    def to_diagnostic(self, lang: Lang = "en") -> Diagnostic:
        return Diagnostic(
            code=self.code,
            severity="error",
            start=self.position,
            end=self.end,
            line=self.line,
            column=self.column,
            message=self.message(lang),
            hint=self.hint(lang),
        )


class _Defaults(dict[str, str]):
    # A missing placeholder renders empty rather than raising: an error must never fail
    # while reporting another one.
    def __missing__(self, key: str) -> str:
        return ""
