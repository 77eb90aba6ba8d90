"""Hostile text made inert for Streamlit's Markdown, and hostile URL values dropped early.

`inert` is checked against a model of what Streamlit 1.67's renderer does with it: CommonMark turns the
backslash escapes back into the characters, and then GFM's autolink search and Streamlit's picture
codes run over that decoded text (the patterns below are copied from Streamlit's bundled JavaScript;
a test fails if the bundle stops containing them, so an upgrade gets the model looked at again).
Every page in a real browser, with hostile names in the database, is in tests/browser/test_browser_hostile.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit

from healthdash.core.markup import WORD_JOINER, inert
from healthdash.ui import urlstate
from tests.support.app import open_page

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    "http://evil.example/x",
    "HTTPS://EVIL.EXAMPLE",
    "www.evil.example",
    "WWW.evil.example",
    "wwww.evil.example",
    "someone@evil.example",
    "mailto:someone@evil.example",
    "xmpp:someone@evil.example",
    "ftp://evil.example",
    "[坏](http://evil.example)",
    "…[坏](http://evil.example)….xlsx",
    "![x](http://evil.example/x.png)",
    "<http://evil.example>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt;",
    "&#x3C;script&#x3E;",
    ":streamlit:",
    ":smile:",
    ":material/home:",
    ":red[红色]",
    ":blue-badge[徽章]",
    "$x^2$",
    "$$x$$",
    "**粗体** _斜体_ ~~删除~~",
    "# 标题",
    "> 引用",
    "- 列表",
    "1. 列表",
    "  12) 列表",
    "---",
    "+5",
    "Up-referrals (2024)",
    "| a | b |",
    "`代码`",
    "[x][1]\n\n[1]: http://evil.example",
    "第一行\n# 第二行",
    "back\\slash",
    "=HYPERLINK(\"http://evil.example\",\"点击\")",
    "乙县人民医院（二甲）",
]

# Links, images, HTML, entities, emphasis, code, tables, strikethrough, maths, directives ("!" and "(" only
# mean something after "[").
MEANINGFUL = set("\\`*_{}[]<>|~$:&")

# Streamlit 1.67's StreamlitMarkdown bundle: GFM's literal autolinks (URL and e-mail), searched in the
# text after escapes are decoded, then Streamlit's own :streamlit: logo and the emoji short codes.
URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)
CODES = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:|:streamlit:|:material/")
BUNDLE_PATTERNS = (r"/(https?:\/\/|www(?=\.))([-.\w]+)([^ \t\r\n]*)/gi",
                   r"/(?<=^|\s|\p{P}|\p{S})([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)/gu",
                   r"/:streamlit:/g")


def decoded(markdown: str) -> str:
    """What CommonMark makes of backslash escapes: the escaped character itself."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_inert_text_has_no_markup_left(text: str) -> None:
    shown = inert(text)
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", shown)
    assert not set(unescaped) & MEANINGFUL, "every character with a meaning in a line is escaped"
    assert not re.match(r"\s*([#+=>*-]|\d+[.)])", shown), "no heading, list or quote"
    assert "\n" not in shown and "\r" not in shown, "no new Markdown block"
    after_escapes = decoded(shown)
    assert not URL.search(after_escapes) and not EMAIL.search(after_escapes), "no autolink"
    assert not CODES.search(after_escapes), "no emoji, icon or logo code"


@pytest.mark.parametrize("text", HOSTILE)
def test_inert_text_reads_as_typed(text: str) -> None:
    assert decoded(inert(text)).replace(WORD_JOINER, "") == re.sub(r"[\n\r]+", " ", text)


def test_inert_leaves_names_alone_and_shows_nothing_for_none() -> None:
    assert inert("鹿寨县中渡镇卫生院") == "鹿寨县中渡镇卫生院"
    assert inert(None) == ""
    assert inert(1234) == "1234"


def test_the_model_is_streamlits() -> None:
    bundle = Path(streamlit.__file__).parent / "static" / "static" / "js"
    sources = "".join(path.read_text(encoding="utf-8", errors="replace")
                      for path in bundle.glob("StreamlitMarkdown*.js"))
    missing = [pattern for pattern in BUNDLE_PATTERNS if pattern not in sources]
    assert not missing, f"Streamlit's Markdown renderer changed ({missing}): check healthdash.core.markup.inert"


def test_no_other_markdown_escaping_is_left() -> None:
    """One helper: the copies that escaped a hand-picked set of characters are gone."""
    sources = {path: path.read_text(encoding="utf-8") for path in [*ROOT.glob("healthdash/**/*.py"),
                                                                    *ROOT.glob("pages/*.py")]}
    copies = [str(path) for path, text in sources.items()
              if path.name != "markup.py" and re.search(r'"\\\\\\\\" \+ char|_MARKDOWN|escape_markdown', text)]
    assert not copies


# ---------------------------------------------------------------------------------------------- URL values


def test_long_url_values_are_clipped_to_something_never_valid() -> None:
    assert urlstate.clip("4502") == "4502"
    assert urlstate.clip("x" * urlstate.MAX_VALUE) == "x" * urlstate.MAX_VALUE
    clipped = urlstate.clip("4502" + "0" * 5000)
    assert len(clipped) < 40 and clipped.endswith("…")


@pytest.mark.parametrize(("key", "page"), [
    ("county", "pages/overview.py"),        # the shared sidebar's parser
    ("period", "pages/overview.py"),
    ("rank", "pages/overview.py"),          # a page's own choice (urlstate.choice)
    ("back", "pages/whatif.py"),             # a slider (urlstate.slider)
])
def test_a_long_url_value_is_dropped_with_the_usual_note(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                         key: str, page: str) -> None:
    hostile = "[坏](http://evil.example)" + "9" * 400
    at = open_page(demo_db, monkeypatch, page, {key: hostile})
    notes = [box.value for box in [*at.warning, *at.sidebar.warning]]
    note = next((note for note in notes if "已忽略" in note), None)
    assert note is not None, notes
    assert f"{key}=" in note and "…" in note and "9" * 50 not in note
    assert "\\[坏\\](http\\:" in note, "the start of the value shown literally"


def test_link_cells_of_hostile_names_and_codes_stay_in_the_app() -> None:
    """Table links are built from codes, the name only displayed: neither can point outside the app."""
    from urllib.parse import urlsplit

    from healthdash.ui import links

    names = ["[坏](http://evil.example)", "http://evil.example", "javascript:alert(1)#x"]
    codes = ["H450223001", "http://evil.example/x", "//evil.example/#frag"]
    for cell, name in zip(links.facility_links(codes, names), names, strict=True):
        parts = urlsplit(cell)
        assert not parts.scheme and not parts.netloc and parts.path == links.FACILITY_PAGE
        assert links.destination(cell) is not None and links.label_of(cell) == name
