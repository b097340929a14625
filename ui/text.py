"""User text in Markdown: one escape for every user, file or store string a Markdown-rendering call shows.

``st.markdown``, ``st.caption``, ``st.info``/``success``/``warning``/``error``, titles, headers and
widget labels all render Markdown. A site name, note, reason, user name, file name or an error
message quoting one of them must show as the literal text: never as an image that loads from
an outside address (a tracking beacon), a link, HTML, emphasis, LaTeX or a table. The rule:
interpolate such a value only through :func:`md_escape`; prefer ``st.text``, ``st.dataframe``
and ``st.metric`` values, which never render Markdown.
"""
from __future__ import annotations

import re

ELLIPSIS = "\u2026"
#: Escaped wherever they stand: backslash escapes, code, emphasis, links and images, HTML and
#: entities, tables, strikethrough and math.
_ALWAYS = frozenset("\\`*[]<>&|~$")
#: Escaped at the start of a line (after spaces): headings, block quotes, list items, setext underlines.
_LINE_START = frozenset("#>+-=")
#: Dropped: C0 controls but tab and newline, DEL, C1 controls, bidi embeddings, overrides and isolates.
_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SEPARATORS = re.compile("\r\n?|[\u2028\u2029]")
_ORDERED = re.compile(r"\d{1,9}[.)]")


def md_escape(text: object, *, limit: int | None = None) -> str:
    """Return ``text`` escaped so that Streamlit's Markdown shows it literally.

    Every character that could start Markdown or HTML is backslash-escaped (an underscore only
    where it could start emphasis, so ``gate_status`` stays readable in the source), control
    and bidi-override characters are dropped, and line separators become newlines. ``None``
    is the empty string; leading spaces and tabs of each line are dropped (four would make a
    code block). With ``limit``, text longer than ``limit`` characters is cut and ends
    in an ellipsis.
    """
    raw = "" if text is None else str(text)
    raw = _DROP.sub("", _SEPARATORS.sub("\n", raw))
    if limit is not None and len(raw) > limit:
        raw = raw[:max(limit - 1, 0)].rstrip() + ELLIPSIS
    return "\n".join(_escape_line(line.lstrip(" \t")) for line in raw.split("\n"))


def md_line(text: object, *, limit: int | None = None) -> str:
    """Return ``text`` as one escaped line (newlines and tabs as spaces), for captions and headings."""
    return md_escape(" ".join(str("" if text is None else text).split()), limit=limit)


def _escape_line(line: str) -> str:
    ordered = _ORDERED.match(line)
    list_mark = ordered.end() - 1 if ordered else -1  # the "." or ")" of "1." / "1)" at the line start
    return "".join("\\" + char if _needs_escape(line, i, list_mark) else char for i, char in enumerate(line))


def _needs_escape(line: str, i: int, list_mark: int) -> bool:
    char = line[i]
    if char in _ALWAYS or (i == 0 and char in _LINE_START) or i == list_mark:
        return True
    if char == "_":
        return not _inside_word(line, i)
    if char == ":":
        return _starts_directive(line, i)
    # www.example.com would become a link (GFM autolink literal)
    return char == "." and line[max(i - 3, 0):i].lower() == "www" and (i < 4 or not line[i - 4].isalnum())


def _inside_word(line: str, i: int) -> bool:
    return 0 < i < len(line) - 1 and line[i - 1].isalnum() and line[i + 1].isalnum()


def _starts_directive(line: str, i: int) -> bool:
    """Return whether the colon at ``i`` could open ``:red[..]``, ``:material/x:``, an emoji or ``http://``."""
    nxt = line[i + 1:i + 2]
    return nxt.isascii() and (nxt.isalnum() or nxt == "/")
