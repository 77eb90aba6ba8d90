"""Appraisal schemes as data: a TOML file a commission edits (data/appraisal_schemes/*.toml), checked with a
message naming the line of each mistake, and the points it gives a county with an explanation of each.

Rule kinds (values and targets in the indicator's unit, 65 for 65%):
- at_target (达标得满分): full marks when the target is met, none otherwise;
- linear (线性): none at `floor`, full marks at the target, in proportion between;
- bands (分档): `bands = [[threshold, points], …]`, the points of the best band the value reaches;
- deduct (扣分): `per_unit` points off per unit short of the target, never below none;
- qualitative (定性): full marks when an official judged the item met;
- monitor (不计分): shown, never scored.
For an indicator whose direction is down (lower is better), "reaches" means at or below.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from healthdash.core.fmt import fmt_value
from healthdash.core.i18n import t
from healthdash.core.monitoring import ITEMS_BY_CODE, QUALITATIVE
from healthdash.core.paths import DATA_DIR

SCHEMES_DIR = DATA_DIR / "appraisal_schemes"
KINDS = ("at_target", "linear", "bands", "deduct", "qualitative", "monitor")
NEEDS_TARGET = ("at_target", "linear", "deduct")
_TOLERANCE = 1e-9
_RULE_HEADER = re.compile(r"^\s*\[\[\s*rule\s*\]\]")
_DIMENSION_HEADER = re.compile(r"^\s*\[\[\s*dimension\s*\]\]")


class SchemeError(ValueError):
    """A scheme file refused: `problems` lists each mistake (Chinese), with its line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Rule:
    indicator: str
    dimension: str
    weight: float
    kind: str
    floor: float | None = None
    bands: tuple[tuple[float, float], ...] = ()
    per_unit: float | None = None


@dataclass(frozen=True)
class Scheme:
    name: str
    name_en: str
    scored: bool
    sample: bool
    rules: tuple[Rule, ...]
    dimensions_en: tuple[tuple[str, str], ...] = ()  # (dimension, its English name) from [[dimension]] tables

    def label(self, lang: str) -> str:
        text = self.name_en if lang == "en" and self.name_en else self.name
        return text

    def dimension_label(self, dimension: str, lang: str) -> str:
        """A dimension's name in `lang` (the scheme's own words when it gives no English name)."""
        return dict(self.dimensions_en).get(dimension, dimension) if lang == "en" else dimension

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rule.dimension for rule in self.rules))


def _lines(text: str, header: re.Pattern[str] = _RULE_HEADER) -> tuple[list[int], list[str]]:
    lines = text.splitlines()
    return [number for number, line in enumerate(lines, start=1) if header.match(line)], lines


def _line_of(headers: list[int], lines: list[str], index: int, key: str | None) -> int:
    """The line of rule `index`'s `key` (its [[rule]] header when the key is absent or None)."""
    start = headers[index]
    end = headers[index + 1] if index + 1 < len(headers) else len(lines) + 1
    if key is not None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start + 1, end):
            if pattern.match(lines[number - 1]):
                return number
    return start


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def parse_scheme(text: str, directions: Mapping[str, str]) -> Scheme:
    """The scheme in `text`; SchemeError listing every mistake with its line. `directions`: indicator code ->
    'up' / 'down' / 'monitor' from the catalog (an indicator only monitored cannot be scored against a bound)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        raise SchemeError([t("appraisal.scheme.syntax", lang="zh", line=found[1] if found else "?",
                             detail=str(error))]) from error
    headers, lines = _lines(text)
    problems: list[str] = []

    def problem(index: int | None, key: str | None, code: str, **params: object) -> None:
        line = _line_of(headers, lines, index, key) if index is not None and index < len(headers) else 1
        problems.append(t("appraisal.scheme.at_line", lang="zh", line=line,
                          problem=t(f"appraisal.scheme.{code}", lang="zh", **params)))

    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problem(None, None, "no_name")
    scored = data.get("scored", True)
    if not isinstance(scored, bool):
        problem(None, None, "scored_flag")
        scored = True
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        problem(None, None, "no_rules")
        raise SchemeError(problems)
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules):
        rule = _rule(index, raw, scored, directions, seen, problem)
        if rule is not None:
            rules.append(rule)
    if scored and not problems:
        total = sum(rule.weight for rule in rules)
        if abs(total - 100) > _TOLERANCE:
            problem(None, None, "weights_total", total=f"{total:g}")
    english = _dimension_names(text, data.get("dimension"), {rule.dimension for rule in rules}, problems)
    if problems:
        raise SchemeError(problems)
    return Scheme(str(name).strip(), str(data.get("name_en", "")).strip(), bool(scored),
                  bool(data.get("sample", False)), tuple(rules), english)


def _dimension_names(text: str, raw: object, used: set[str], problems: list[str]) -> tuple[tuple[str, str], ...]:
    """The optional [[dimension]] tables: `name` (a dimension the rules use) and `name_en`."""
    if raw is None:
        return ()
    headers, lines = _lines(text, _DIMENSION_HEADER)

    def problem(index: int, key: str | None, code: str, **params: object) -> None:
        line = _line_of(headers, lines, index, key) if index < len(headers) else 1
        problems.append(t("appraisal.scheme.at_line", lang="zh", line=line,
                          problem=t(f"appraisal.scheme.{code}", lang="zh", **params)))

    if not isinstance(raw, list):
        problem(0, None, "dimension_table")
        return ()
    names = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            problem(index, None, "dimension_table")
            continue
        name, english = entry.get("name"), entry.get("name_en")
        if not isinstance(name, str) or name.strip() not in used:
            problem(index, "name", "dimension_unknown", value=name)
        elif not isinstance(english, str) or not english.strip():
            problem(index, "name_en", "dimension_english", value=name)
        else:
            names.append((name.strip(), english.strip()))
    return tuple(names)


def _rule(index: int, raw: object, scored: bool, directions: Mapping[str, str], seen: set[str],
          problem: object) -> Rule | None:
    report = problem  # type: ignore[assignment]
    if not isinstance(raw, dict):
        report(index, None, "rule_table")
        return None
    failed = False

    def fail(key: str | None, code: str, **params: object) -> None:
        nonlocal failed
        failed = True
        report(index, key, code, **params)

    code = raw.get("indicator")
    item = ITEMS_BY_CODE.get(code) if isinstance(code, str) else None
    if item is None:
        fail("indicator", "unknown_indicator", value=code)
    elif code in seen:
        fail("indicator", "duplicate", value=code)
    else:
        seen.add(code)
    dimension = raw.get("dimension")
    if not isinstance(dimension, str) or not dimension.strip():
        fail("dimension", "no_dimension")
    kind = raw.get("kind")
    if kind not in KINDS:
        fail("kind", "unknown_kind", value=kind, kinds="、".join(KINDS))
        return None
    weight = _number(raw.get("weight", 0))
    if weight is None or weight < 0:
        fail("weight", "weight", value=raw.get("weight"))
        weight = 0.0
    if kind == "monitor" and weight:
        fail("weight", "monitor_weight")
    if kind != "monitor" and not scored:
        fail("kind", "unscored_scheme", kind=kind)
    if kind != "monitor" and scored and not weight:
        fail("weight", "weight", value=raw.get("weight"))
    if item is not None and (kind == "qualitative") != (item.kind == QUALITATIVE) and kind != "monitor":
        fail("kind", "qualitative_mismatch", value=code)
    floor = per_unit = None
    bands: tuple[tuple[float, float], ...] = ()
    if kind == "linear":
        floor = _number(raw.get("floor"))
        if floor is None:
            fail("floor", "floor", value=raw.get("floor"))
    if kind == "deduct":
        per_unit = _number(raw.get("per_unit"))
        if per_unit is None or per_unit <= 0:
            fail("per_unit", "per_unit", value=raw.get("per_unit"))
    if kind == "bands":
        bands = _bands(raw.get("bands"), weight, lambda problem_code, **p: fail("bands", problem_code, **p))
    if item is not None and directions.get(str(code)) == "monitor" and kind in (*NEEDS_TARGET, "bands"):
        fail("kind", "no_direction", value=code)
    if failed:
        return None
    return Rule(str(code), str(dimension).strip(), float(weight), str(kind), floor, bands, per_unit)


def _bands(raw: object, weight: float, fail: object) -> tuple[tuple[float, float], ...]:
    report = fail  # type: ignore[assignment]
    if not isinstance(raw, list) or not raw:
        report("bands")
        return ()
    bands = []
    for band in raw:
        pair = [_number(part) for part in band] if isinstance(band, list) else []
        if len(pair) != 2 or None in pair:
            report("bands")
            return ()
        if pair[1] < 0 or pair[1] > weight + _TOLERANCE:
            report("band_points", points=f"{pair[1]:g}", weight=f"{weight:g}")
            return ()
        bands.append((float(pair[0]), float(pair[1])))
    return tuple(bands)


def load_scheme(path: Path, directions: Mapping[str, str]) -> Scheme:
    return parse_scheme(path.read_text(encoding="utf-8"), directions)


MAX_SCHEME_FILE = 65_536  # bytes: the sample scheme is under 2 KB


def checked_upload(data: bytes, directions: Mapping[str, str]) -> tuple[Scheme, str]:
    """An uploaded scheme file checked whole: (the scheme, its text), or SchemeError with every mistake."""
    if len(data) > MAX_SCHEME_FILE:
        raise SchemeError([t("appraisal.scheme.too_large", lang="zh", size=-(-len(data) // 1024),
                             limit=MAX_SCHEME_FILE // 1024)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SchemeError([t("appraisal.scheme.not_text", lang="zh")]) from error
    return parse_scheme(text, directions), text


def preset_paths() -> list[Path]:
    """The shipped schemes: the national monitoring set first, then the sample."""
    return sorted(SCHEMES_DIR.glob("*.toml"), key=lambda path: (path.stem != "national", path.stem))


# Points ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Points:
    indicator: str
    dimension: str
    weight: float
    points: float | None      # None for a monitored (unscored) item
    explanation_zh: str
    explanation_en: str

    @property
    def lost(self) -> float:
        return 0.0 if self.points is None else self.weight - self.points

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang == "en" else self.explanation_zh


def _reaches(value: float, bound: float, direction: str) -> bool:
    return value <= bound + _TOLERANCE if direction == "down" else value >= bound - _TOLERANCE


def shown_number(value: float | None, unit: str | None, lang: str) -> str:
    """A value on the scale targets are written in (65 for 65%) as an explanation prints it: with its unit,
    to the decimals the page shows."""
    if value is None:
        return "—"
    if unit == "%":
        return fmt_value(value / 100, "%", lang=lang)
    return fmt_value(value, unit, lang=lang) if unit else f"{value:.4g}"


def score_rule(rule: Rule, value: float | None, target: float | None, direction: str,
               met: bool | None = None, unit: str | None = None) -> Points:
    """The points `rule` gives: `value` and `target` in the indicator's unit (None when missing or not set;
    `unit` the catalog's, for the explanation), `met` the official's judgement of a qualitative item (None
    when none is recorded)."""
    def done(points: float | None, key: str, per_unit: str = "", **numbers: float | None) -> Points:
        def say(lang: str) -> str:
            return t(f"appraisal.explain.{key}", lang=lang, weight=f"{rule.weight:g}", per_unit=per_unit,
                     points="—" if points is None else f"{round(points, 2):g}",
                     **{name: shown_number(number, unit, lang) for name, number in numbers.items()})
        return Points(rule.indicator, rule.dimension, rule.weight, points, say("zh"), say("en"))

    shown = {"value": value, "target": target}
    if rule.kind == "monitor":
        return done(None, "monitor", **shown)
    if rule.kind == "qualitative":
        if met is None:
            return done(0.0, "not_judged")
        return done(rule.weight if met else 0.0, "met" if met else "not_met")
    if value is None:
        return done(0.0, "no_value")
    if rule.kind == "bands":
        reached = [points for threshold, points in rule.bands if _reaches(value, threshold, direction)]
        return done(max(reached, default=0.0), "bands", **shown)
    if target is None:
        return done(0.0, "no_target", **shown)
    if rule.kind == "at_target":
        return done(rule.weight if _reaches(value, target, direction) else 0.0, "at_target", **shown)
    if rule.kind == "linear":
        floor = float(rule.floor)  # type: ignore[arg-type]
        if _reaches(value, target, direction):
            return done(rule.weight, "linear", floor=floor, **shown)
        span = target - floor
        share = 0.0 if span == 0 else (value - floor) / span
        return done(rule.weight * min(max(share, 0.0), 1.0), "linear", floor=floor, **shown)
    short = max(0.0, (value - target) if direction == "down" else (target - value))
    lost = short * float(rule.per_unit)  # type: ignore[arg-type]
    return done(max(0.0, rule.weight - lost), "deduct", per_unit=f"{rule.per_unit:g}", **shown)


def subtotals(points: list[Points]) -> dict[str, float]:
    """Points per dimension, in the scheme's order, over scored rules only."""
    totals: dict[str, float] = {}
    for item in points:
        if item.points is not None:
            totals[item.dimension] = totals.get(item.dimension, 0.0) + item.points
    return totals
