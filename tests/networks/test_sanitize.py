from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from tertulia.networks.sanitize import ALLOWED_TAGS, html_to_text, safe_url, sanitize_html

HOSTILE = [
    ("<script>alert(1)</script>ok", "ok"),
    ('<img src=x onerror="alert(1)">', '<img src="x">'),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
    ('<a href="java\tscript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
    ('<a href="JaVaScRiPt&colon;alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
    (
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<a rel="nofollow noopener noreferrer">x</a>',
    ),
    ('<iframe src="https://evil.example"></iframe>after', "after"),
    ("<style>body{display:none}</style>text", "text"),
    ("<svg><script>alert(1)</script></svg>z", "z"),
    ('<p style="background:url(javascript:x)">p</p>', "<p>p</p>"),
    ("<!-- <script>x</script> -->c", "c"),
    ("<b>unclosed <i>tags", "<b>unclosed <i>tags</i></b>"),
    ("</p></b>stray", "stray"),
    ('<div><form action="https://evil.example"><input name=card>Pay</form></div>', "Pay"),
    ("5 < 6 & 7 > 3", "5 &lt; 6 &amp; 7 &gt; 3"),
]


def test_hostile_samples():
    for dirty, clean in HOSTILE:
        assert sanitize_html(dirty) == clean, dirty


def test_links_keep_safe_urls_and_get_rel():
    out = sanitize_html('<a href="https://cafeaurora.example/?a=1&b=2" title="t">x</a>')
    assert out == (
        '<a href="https://cafeaurora.example/?a=1&amp;b=2" title="t" '
        'rel="nofollow noopener noreferrer">x</a>'
    )


def test_safe_url():
    assert safe_url("https://a.example/x") == "https://a.example/x"
    assert safe_url("/relative/path") == "/relative/path"
    assert safe_url("mailto:hola@cafeaurora.example") is not None
    assert safe_url("mailto:x@y.example", attr="src") is None
    for bad in ("javascript:alert(1)", " vbscript:x", "data:image/png;base64,AA", "jav\nascript:x"):
        assert safe_url(bad) is None


def test_html_to_text_puts_blocks_on_lines():
    assert html_to_text("<p>Hola</p><p>mundo &amp; <b>más</b></p><script>x</script>") == (
        "Hola\n\nmundo & más"
    )


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(name)
            if name in ("href", "src") and value and safe_url(value, attr=name) is None:
                self.problems.append(value)


html_bits = st.lists(
    st.sampled_from(
        [
            "<script>",
            "</script>",
            "<p>",
            "</p>",
            "<a href='javascript:x'>",
            "<a href=https://e>",
            "</a>",
            "<img src=x onerror=y>",
            "<b>",
            "</i>",
            "<iframe>",
            "</iframe>",
            "<!--",
            "-->",
            "<style>",
            "&lt;",
            "&",
            "<",
            ">",
            '"',
            "'",
            "<svg/onload=x>",
            "<div onclick=z>",
            "<![CDATA[",
            "]]>",
            "<?php",
            "<br/>",
            "text",
            "ñandú",
            "\x00",
            "<table>",
            "</td>",
        ]
    )
    | st.text(max_size=8),
    max_size=25,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(html_bits)
def test_sanitizer_output_is_safe_and_stable(dirty):
    clean = sanitize_html(dirty)
    inspector = _Inspector()
    inspector.feed(clean)
    inspector.close()
    assert inspector.problems == []
    assert sanitize_html(clean) == clean


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_sanitizer_never_raises_on_any_text(text):
    assert isinstance(sanitize_html(text), str)
    assert isinstance(html_to_text(text), str)
