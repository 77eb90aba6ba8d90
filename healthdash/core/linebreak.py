"""Line breaking for printed Chinese and English: numbers stay with their units, and the 避头尾 rules hold
(no line starts with closing punctuation or ends with opening punctuation). Pure: the caller measures text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Marks that may not start a line (they close or follow what comes before).
CLOSING = frozenset("）》」』】〉〕］｝，。、：；！？％‰…·～”’)]},.:;!?%")
# Marks that may not end a line (they open what comes after).
OPENING = frozenset("（《「『【〈〔［｛“‘([{")
# Units a number is printed with, longest first so that 个百分点 wins over 个.
UNITS = ("个百分点", "百分点", "万人次", "万元", "亿元", "人次", "万人", "pp", "元", "人", "次", "个", "家", "所",
         "岁", "天", "例", "床", "张", "名", "倍", "年", "月", "日", "%", "‰")
_DIGITS = r"\d[\d,]*(?:\.\d+)?"
# A signed number or a range (1–6月), with its unit or the one Chinese character it qualifies (2型).
_NUMBER = rf"[+\-−±≥≤<>~]?{_DIGITS}(?:[–~\-]{_DIGITS})?(?:" + "|".join(re.escape(unit) for unit in UNITS) + r"|[\u4e00-\u9fff])?"
# An atom is never broken: a number with its unit, a Latin word, a run of spaces, or one other character.
_ATOM = re.compile(rf"{_NUMBER}|[A-Za-z][A-Za-z'’\-]*|\s+|.", re.DOTALL)


def atoms(text: str) -> list[str]:
    """`text` cut where a line may break: closing marks glued to what precedes, opening marks to what follows."""
    glued: list[str] = []
    pending = ""  # opening marks waiting for the atom they open
    for piece in _ATOM.findall(text):
        if piece.isspace():
            if pending:
                glued.append(pending)
                pending = ""
            glued.append(piece)
        elif piece[0] in CLOSING and glued and not glued[-1].isspace() and not pending:
            glued[-1] += piece
        elif piece[-1] in OPENING and len(piece) == 1:
            pending += piece
        else:
            glued.append(pending + piece)
            pending = ""
    if pending:
        glued.append(pending)
    return glued


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` as lines no wider than `width` by `measure`, broken only between atoms (an atom wider than a line
    is cut by characters); spaces at a break are dropped, and a newline in `text` always breaks."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for atom in atoms(paragraph):
            if atom.isspace():
                if line:
                    line += atom
                continue
            if measure(line + atom) <= width:
                line += atom
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            while measure(atom) > width and len(atom) > 1:
                cut = 1
                while cut < len(atom) and measure(atom[: cut + 1]) <= width:
                    cut += 1
                lines.append(atom[:cut])
                atom = atom[cut:]
            line = atom
        lines.append(line.rstrip())
    return lines
