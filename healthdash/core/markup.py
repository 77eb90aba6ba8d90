"""Text from the database, an uploaded file or a URL, made inert for the widgets that render Markdown.

st.markdown, st.caption, st.info/warning/error/success, st.title/subheader, widget labels, st.metric
labels, help tooltips and st.table cells all render Markdown (Streamlit's react-markdown with GFM and its
own directives). `inert(text)` shows `text` exactly as typed there: never a link, image, HTML element,
heading, list, table, emphasis, colour, icon, emoji or formula.

Backslash escapes alone are not enough: GFM turns bare URLs, `www.` addresses and e-mail addresses into
links, and Streamlit turns `:streamlit:` and emoji short codes into pictures, by searching the text
*after* escapes and entities are decoded. A word joiner (U+2060, invisible, no line break) placed after
`:` and `@` and between `www` and `.` breaks those patterns without changing what the reader sees.

For st.html use html.escape: HTML does not link text by itself.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
# Characters with a meaning anywhere in a line: links and images (brackets), HTML and autolinks, entities,
# emphasis, code, tables, strikethrough, maths, Streamlit's directives (":red[…]") and the escape itself.
_INLINE = frozenset("\\`*_{}[]<>|~$:&")
# Characters with a meaning only at the start of a line: a heading, list item or rule.
_LINE_START = re.compile(r"^(\s*)([#+=-]|\d{1,9}(?=[.)]))")
# A line break would start a new Markdown block.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)
_JOINED = re.compile(r"([:@])(?=\S)")


def inert(text: object) -> str:
    """`text` escaped for Markdown so that it renders literally; None shows as nothing."""
    if text is None:
        return ""
    plain = _WWW.sub(rf"\1{WORD_JOINER}", _BREAKS.sub(" ", str(text)))
    escaped = "".join("\\" + char if char in _INLINE else char for char in plain)
    escaped = _LINE_START.sub(_escape_marker, escaped, count=1)
    return _JOINED.sub(rf"\1{WORD_JOINER}", escaped)


def _escape_marker(match: re.Match[str]) -> str:
    space, marker = match.groups()
    if marker.isdigit():  # "1." or "1)": the escape goes before the dot or bracket that follows
        return f"{space}{marker}\\"
    return f"{space}\\{marker}"


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (a print margin's content): quotes and backslashes escaped, line breaks
    and `<` written as code points, so that no text closes the string or the <style> element."""
    escaped = "".join(f"\\{ord(char):X} " if char in '\\"<\n\r' or ord(char) < 32 else char for char in text)
    return f'"{escaped}"'
