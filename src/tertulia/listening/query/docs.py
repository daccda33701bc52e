"""Generate the query-language reference (English and Spanish) from the code itself.

Operators come from ``OPERATORS`` below, each with an example query, a post it matches
and one it does not; the tests run every example through both the interpreter and the
compiled matcher, so the page cannot promise what the code does not do. Fields come from
the field registry, limits from ``LIMITS`` and errors from the error catalogue.

Regenerate the committed pages with::

    python -m tertulia.listening.query.docs --write
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import MESSAGES
from .fields import FIELDS, FieldKind
from .highlight import HIGHLIGHT_KINDS
from .limits import LIMITS

__all__ = ["OPERATORS", "Operator", "doc_path", "render_reference"]


@dataclass(frozen=True)
class Operator:
    syntax: str
    example: str
    matches: str
    misses: str
    en: str
    es: str
    origin: str = "brandwatch"


OPERATORS: tuple[Operator, ...] = (
    Operator("word", "complaint", "One more COMPLAINT", "complaints",
             "A whole word, in any case.", "Una palabra completa, sin distinguir mayúsculas."),
    Operator("word (unaccented)", "cafe", "Un café, por favor", "cafeteria",
             "An unaccented word also finds accented spellings.",
             "Una palabra sin tilde también encuentra las grafías con tilde."),
    Operator("word (accented)", "café", "CAFÉ con leche", "cafe con leche",
             "An accented word finds only that spelling (in any case).",
             "Una palabra con tilde solo encuentra esa grafía (sin distinguir mayúsculas)."),
    Operator('"phrase"', '"apple juice"', "Fresh apple, juice!", "apple and juice",
             "Words next to each other in this order; punctuation between them is ignored.",
             "Palabras seguidas en este orden; se ignora la puntuación entre ellas."),
    Operator("AND", "apple AND juice", "juice made of apple", "apple pie",
             "Both sides. Must be upper case.", "Ambos lados. En mayúsculas."),
    Operator("(adjacent)", "apple juice", "juice made of apple", "apple pie",
             "Terms side by side without an operator are joined with AND.",
             "Términos juntos sin operador se unen con AND."),
    Operator("OR", "apple OR juice", "orange juice", "pear cider",
             "Either side. Must be upper case.", "Cualquiera de los lados. En mayúsculas."),
    Operator("NOT", "apple NOT juice", "apple pie", "apple juice",
             "Excludes posts with the right side (a NOT b means a AND NOT b).",
             "Excluye publicaciones con el lado derecho (a NOT b equivale a a AND NOT b)."),
    Operator("( )", "(apple AND juice) OR (apple AND sauce)", "apple sauce", "juice sauce",
             "Groups. AND and OR at the same level need parentheses.",
             "Agrupa. AND y OR en el mismo nivel necesitan paréntesis."),
    Operator('"phrase"~n', '"apple juice"~5', "apple, orange and pear juice", "apple pie",
             "All the words, in any order, with at most n other words among them.",
             "Todas las palabras, en cualquier orden, con como mucho n palabras entre ellas."),
    Operator("NEAR/n", "(apple OR orange) NEAR/5 (phone OR smartphone)",
             "my phone is an apple", "apple trees grow slowly in the cold north near a phone",
             "A part of each side with at most n words between them, in either order.",
             "Una parte de cada lado con como mucho n palabras entre ellas, en cualquier orden."),
    Operator("NEAR/nf", "logitech NEAR/2f keyboard", "Logitech Solar Keyboard",
             "keyboard by logitech",
             "Like NEAR/n, but the left side comes first.",
             "Como NEAR/n, pero el lado izquierdo va primero."),
    Operator("(a AND b)~n", "((apple OR orange) AND (phone OR smartphone))~5",
             "orange phone", "orange is not a colour for a modern looking expensive phone",
             "Brandwatch's other way to write NEAR/n between two groups.",
             "La otra forma de Brandwatch de escribir NEAR/n entre dos grupos."),
    Operator("*", "complain*", "they complained", "a compliant reply",
             "Any ending (also inside a word). Never at the start of a word.",
             "Cualquier terminación (también dentro de la palabra). Nunca al principio."),
    Operator("?", "customi?e", "customise or customize", "customie",
             "Exactly one character.", "Exactamente un carácter."),
    Operator("#hashtag", "#acme", "I love #Acme", "I love acme",
             "Only the hashtag. A plain word also finds hashtags and mentions.",
             "Solo el hashtag. Una palabra sin # también encuentra hashtags y menciones."),
    Operator("@mention", "@acmecorp", "hi @AcmeCorp!", "mail me at x@acmecorp.com",
             "Only the mention of that handle.", "Solo la mención de ese usuario."),
    Operator("emoji and symbols", "😡 AND acme", "acme 😡😡", "acme 🙂",
             "Emoji, currency and other symbols are written as they are.",
             "Los emoji, monedas y otros símbolos se escriben tal cual."),
    Operator("{CaseSensitive}", "{BT}", "BT broadband", "bt broadband",
             "Exact upper and lower case.", "Mayúsculas y minúsculas exactas."),
    Operator("raw:", "raw:Google+", "I use Google+ daily", "I use Google daily",
             "Exact characters, punctuation and case included.",
             "Caracteres exactos, incluidas la puntuación y las mayúsculas."),
    Operator("<<<comment>>>", "apple <<<the fruit, not the brand>>> AND pie", "apple pie",
             "apple juice", "Ignored: notes for the people who maintain the query.",
             "Se ignora: notas para quien mantiene la consulta."),
    Operator("field:value", "acme AND sentiment:negative", "", "",
             "Restricts to posts whose field has that value (see the fields below).",
             "Limita a publicaciones cuyo campo tiene ese valor (ver campos más abajo)."),
    Operator("field:[a TO b]", "authorFollowers:[500 TO 100000]", "", "",
             "A range, both ends included; TO in upper case; * leaves an end open.",
             "Un rango, extremos incluidos; TO en mayúsculas; * deja un extremo abierto."),
)  # fmt: skip

_T = {
    "en": {
        "title": "Query language reference",
        "generated": "Generated from the code by `python -m tertulia.listening.query.docs --write`;"
        " do not edit by hand.",
        "intro": "tertulia queries are written as in Brandwatch: every documented Brandwatch"
        " operator and field works here and means the same. Operators (`AND`, `OR`, `NOT`,"
        " `NEAR`, `TO`) must be upper case; lower-case `and` is a word.",
        "operators": "Operators",
        "cols_op": "| Operator | Example | Matches | Does not match | Meaning |",
        "text": "How text is matched",
        "text_rules": [
            "Posts are cut into words (letters, digits, `_`), `#hashtags`, `@mentions` and"
            " single symbols (emoji, currency, `%`, `&`). Other punctuation separates words"
            " and can only be searched with `raw:`.",
            "Matching ignores case, except inside `{…}`.",
            "An unaccented word matches any accents (`cafe` finds `café`); an accented word"
            " matches only that spelling (`café` does not find `cafe`).",
            "A word typed with punctuation inside (`coca-cola`) is the phrase of its parts.",
            "A plain word also finds the same word as a hashtag or mention (`acme` finds"
            " `#acme`); `#acme` finds only the hashtag.",
            "Distances count the words strictly between the two sides; overlapping sides"
            " never count as near.",
            "A query must look for something: a query made only of `NOT` parts is invalid.",
            "A field whose value the post does not have never matches.",
        ],
        "fields": "Fields",
        "cols_field": "| Field | Values | Example | Meaning |",
        "ours": "tertulia field",
        "limits": "Limits",
        "cols_limit": "| Limit | Value |",
        "errors": "Error messages",
        "errors_intro": "Errors give the position (`at column 23`) and a fix. The `code` is"
        " stable and returned by `GET /api/v1/queries/validate`.",
        "cols_error": "| Code | Message | Fix |",
        "highlight": "Highlighting",
        "highlight_intro": "The editor colours each token with one of these kinds:",
        "warnings": "Warnings: `lowercase_operator` when `and`, `or` or `not` is written in"
        " lower case (searched as a word).",
    },
    "es": {
        "title": "Referencia del lenguaje de consultas",
        "generated": "Generado desde el código con"
        " `python -m tertulia.listening.query.docs --write`; no lo edites a mano.",
        "intro": "Las consultas de tertulia se escriben como en Brandwatch: todos los"
        " operadores y campos documentados de Brandwatch funcionan aquí y significan lo"
        " mismo. Los operadores (`AND`, `OR`, `NOT`, `NEAR`, `TO`) van en mayúsculas; `and`"
        " en minúsculas es una palabra.",
        "operators": "Operadores",
        "cols_op": "| Operador | Ejemplo | Encuentra | No encuentra | Significado |",
        "text": "Cómo se compara el texto",
        "text_rules": [
            "Las publicaciones se dividen en palabras (letras, dígitos, `_`), `#hashtags`,"
            " `@menciones` y símbolos sueltos (emoji, monedas, `%`, `&`). El resto de la"
            " puntuación separa palabras y solo se puede buscar con `raw:`.",
            "No se distinguen mayúsculas, salvo dentro de `{…}`.",
            "Una palabra sin tilde encuentra cualquier acentuación (`cafe` encuentra"
            " `café`); una palabra con tilde solo esa grafía (`café` no encuentra `cafe`).",
            "Una palabra escrita con puntuación dentro (`coca-cola`) es la frase de sus partes.",
            "Una palabra sin # también encuentra el hashtag o la mención (`acme` encuentra"
            " `#acme`); `#acme` solo encuentra el hashtag.",
            "Las distancias cuentan las palabras que hay entre los dos lados; lados que se"
            " solapan nunca están cerca.",
            "Una consulta debe buscar algo: una consulta hecha solo de partes `NOT` no es válida.",
            "Un campo cuyo valor no tiene la publicación nunca coincide.",
        ],
        "fields": "Campos",
        "cols_field": "| Campo | Valores | Ejemplo | Significado |",
        "ours": "campo de tertulia",
        "limits": "Límites",
        "cols_limit": "| Límite | Valor |",
        "errors": "Mensajes de error",
        "errors_intro": "Los errores indican la posición (`en la columna 23`) y cómo"
        " arreglarlo. El `code` es estable y lo devuelve `GET /api/v1/queries/validate`.",
        "cols_error": "| Código | Mensaje | Solución |",
        "highlight": "Resaltado",
        "highlight_intro": "El editor colorea cada token con uno de estos tipos:",
        "warnings": "Avisos: `lowercase_operator` cuando `and`, `or` o `not` van en"
        " minúsculas (se buscan como palabra).",
    },
}

_LIMIT_NAMES = {
    "max_query_chars": ("Characters in a query", "Caracteres de una consulta"),
    "max_depth": ("Nesting depth of groups, NOT and fields", "Anidamiento de grupos, NOT y campos"),
    "max_terms": ("Terms (words, wildcards, values)", "Términos (palabras, comodines, valores)"),
    "min_wildcard_stem_chars": ("Letters before * or ?", "Letras antes de * o ?"),
    "max_short_wildcards": (
        "Short wildcards (minimum letters before * or ?)",
        "Comodines cortos (mínimo de letras antes de * o ?)",
    ),
    "max_distance": ("n in NEAR/n and ~n", "n en NEAR/n y ~n"),
    "max_case_sensitive_chars": ("Characters inside {…}", "Caracteres dentro de {…}"),
    "max_proximity_phrase_words": (
        'Words in a "phrase"~n',
        'Palabras en una "frase"~n',
    ),
}


def _template(text: str) -> str:
    # Placeholders show as ‹name›; doubled braces are literal braces.
    text = re.sub(r"(?<!\{)\{(\w+)\}(?!\})", r"‹\1›", text)
    return text.replace("{{", "{").replace("}}", "}")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    if not text:
        return ""
    return "`` " + text.replace("|", "\\|") + " ``" if "`" in text else f"`{_cell(text)}`"


def _values(spec, lang: str) -> str:
    en, es = spec.expected()
    if spec.kind is FieldKind.TEXT:
        return "sub-query" if lang == "en" else "subconsulta"
    if spec.kind is FieldKind.KEYWORD:
        return "text, * ?" if lang == "en" else "texto, * ?"
    if spec.kind in (FieldKind.DOMAIN, FieldKind.TLD, FieldKind.URL):
        return "domain / address" if lang == "en" else "dominio / dirección"
    return _cell(en if lang == "en" else es)


def render_reference(lang: str = "en") -> str:
    """The Markdown reference page in ``lang`` (``"en"`` or ``"es"``)."""
    t = _T[lang]
    out = [f"# {t['title']}", "", f"<!-- {t['generated']} -->", "", t["intro"], ""]
    out += [f"## {t['operators']}", "", t["cols_op"], "|---|---|---|---|---|"]
    for op in OPERATORS:
        desc = op.en if lang == "en" else op.es
        out.append(
            f"| {_code(op.syntax)} | {_code(op.example)} | {_cell(op.matches)} |"
            f" {_cell(op.misses)} | {_cell(desc)} |"
        )
    out += ["", f"## {t['text']}", ""]
    out += [f"- {rule}" for rule in t["text_rules"]]
    out += ["", f"## {t['fields']}", "", t["cols_field"], "|---|---|---|---|"]
    for spec in FIELDS.values():
        desc = spec.description_en if lang == "en" else spec.description_es
        if spec.origin != "brandwatch":
            desc += f" *({t['ours']})*"
        out.append(
            f"| `{spec.name}:` | {_values(spec, lang)} | {_code(spec.example)} | {_cell(desc)} |"
        )
    out += ["", f"## {t['limits']}", "", t["cols_limit"], "|---|---|"]
    for key, value in LIMITS.items():
        en, es = _LIMIT_NAMES[key]
        out.append(f"| {en if lang == 'en' else es} (`{key}`) | {value} |")
    out += ["", f"## {t['errors']}", "", t["errors_intro"], "", t["cols_error"], "|---|---|---|"]
    for code, (m_en, m_es, h_en, h_es) in MESSAGES.items():
        msg = _template(m_en if lang == "en" else m_es)
        hint = _template(h_en if lang == "en" else h_es)
        out.append(f"| `{code}` | {_cell(msg)} | {_cell(hint)} |")
    out += ["", t["warnings"], ""]
    out += [f"## {t['highlight']}", "", t["highlight_intro"], ""]
    out.append(", ".join(f"`{k}`" for k in HIGHLIGHT_KINDS))
    out.append("")
    return "\n".join(out)


def doc_path(lang: str, root: Path | None = None) -> Path:
    """Where the generated page for ``lang`` lives in the repository."""
    base = root or Path(__file__).resolve().parents[4]
    return base / "docs" / lang / "query-language.md"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write docs/{en,es}/query-language.md")
    ap.add_argument("--lang", choices=("en", "es"), default="en")
    a = ap.parse_args(argv)
    if not a.write:
        sys.stdout.write(render_reference(a.lang))
        return 0
    for lang in ("en", "es"):
        path = doc_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_reference(lang), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
