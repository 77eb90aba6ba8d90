"""监测与考核 storage: officials' judgements of the qualitative monitoring items and the targets set per level,
place and year (tables in data/appraisal_schema.sql).

Writing needs a writable connection: pages pass these functions to healthdash.ingest.loader.write, which
applies them to the database the way a load is applied. Every refusal is an AppraisalError (Chinese and
English from [appraisal.error] of the locale catalogs) raised before anything is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import duckdb
import pandas as pd

from healthdash.core.i18n import t
from healthdash.core.monitoring import QUALITATIVE_CODES
from healthdash.core.paths import DATA_DIR

APPRAISAL_SCHEMA_SQL = DATA_DIR / "appraisal_schema.sql"
MAX_NOTE = 500
MAX_EVIDENCE = 1000
LEVELS = ("national", "province", "city", "county")
# The template sheet's headers (Chinese first: the sheet officials fill in) and the words of its 层级 column.
TARGET_HEADERS = {"indicator_code": "指标代码", "level": "层级", "place_code": "地区代码", "year": "年度",
                  "target": "目标值"}
LEVEL_WORDS = {"全国": "national", "省": "province", "市": "city", "县": "county",
               "national": "national", "province": "province", "city": "city", "county": "county"}
FIRST_YEAR, LAST_YEAR = 2000, 2100


class AppraisalError(ValueError):
    """Refused input: nothing was written. `zh` and `en` say why."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.zh = t(f"appraisal.error.{code}", lang="zh", **params)
        self.en = t(f"appraisal.error.{code}", lang="en", **params)
        super().__init__(f"{self.zh} / {self.en}")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(APPRAISAL_SCHEMA_SQL.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Judgement:
    county_code: str
    year: int
    item_code: str
    met: bool
    evidence: str
    note: str


def _checked(judgement: Judgement, by: str, allows_county: Callable[[str], bool]) -> Judgement:
    if judgement.item_code not in QUALITATIVE_CODES:
        raise AppraisalError("unknown_item", value=judgement.item_code)
    if not allows_county(judgement.county_code):
        raise AppraisalError("outside_jurisdiction", county=judgement.county_code)
    if not FIRST_YEAR <= judgement.year <= LAST_YEAR:
        raise AppraisalError("year", value=judgement.year)
    evidence = "\n".join(line.strip() for line in judgement.evidence.splitlines() if line.strip())
    if judgement.met and not evidence:
        raise AppraisalError("evidence_required")
    if len(evidence) > MAX_EVIDENCE:
        raise AppraisalError("too_long", max=MAX_EVIDENCE, length=len(evidence))
    note = judgement.note.strip()
    if len(note) > MAX_NOTE:
        raise AppraisalError("too_long", max=MAX_NOTE, length=len(note))
    if not by.strip():
        raise AppraisalError("who_required")
    return Judgement(judgement.county_code, judgement.year, judgement.item_code, judgement.met, evidence, note)


def record_judgement(con: duckdb.DuckDBPyConnection, judgement: Judgement, by: str,
                     allows_county: Callable[[str], bool], *, at: datetime | None = None) -> int:
    """Record an official's judgement (met or not, evidence required when met) as `by`; refused for a county
    outside the recorder's jurisdiction (`allows_county`). Returns the judgement's id."""
    kept = _checked(judgement, by, allows_county)
    counties = con.execute("select count(*) from region where code = $code and level = 'county'",
                           {"code": kept.county_code}).fetchone()
    if not counties or not counties[0]:
        raise AppraisalError("unknown_county", county=kept.county_code)
    ensure_tables(con)
    rows = con.execute("""
        insert into appraisal_judgement
        select coalesce(max(judgement_id), 0) + 1, $county, $year, $item, $met, $evidence, $note, $by, $at,
        from appraisal_judgement
        returning judgement_id
    """, {"county": kept.county_code, "year": kept.year, "item": kept.item_code, "met": kept.met,
          "evidence": kept.evidence, "note": kept.note, "by": by.strip(),
          "at": at or datetime.now().replace(microsecond=0)}).fetchall()
    return int(rows[0][0])


def latest_judgements(history: pd.DataFrame) -> pd.DataFrame:
    """The state of each county, year and item: its newest judgement (rows of queries/appraisal_judgements.sql)."""
    if history.empty:
        return history
    ordered = history.sort_values("judgement_id", ascending=False)
    return ordered.drop_duplicates(["county_code", "year", "item_code"]).reset_index(drop=True)


# Targets --------------------------------------------------------------------------------------------------


def parse_targets(sheet: pd.DataFrame, indicators: Mapping[str, str], regions: Mapping[str, str]) -> pd.DataFrame:
    """The rows of a targets sheet (headers as TARGET_HEADERS; `indicators` code -> unit, `regions` code ->
    level) as appraisal_target rows without who and when. AppraisalError naming every bad row (by its line in
    the sheet, the header being line 1) when any is wrong."""
    by_header = {str(column).strip(): column for column in sheet.columns}
    missing = [zh for zh in TARGET_HEADERS.values() if zh not in by_header]
    if missing:
        raise AppraisalError("target_headers", missing="、".join(missing))
    problems: list[str] = []
    rows = []
    for position, raw in enumerate(sheet.to_dict("records"), start=2):
        cell = {name: raw[by_header[zh]] for name, zh in TARGET_HEADERS.items()}
        text = {name: "" if _blank(value) else str(value).strip() for name, value in cell.items()}
        if not any(text.values()):
            continue
        row_problems = _target_problems(text, indicators, regions)
        if row_problems:
            problems.append(t("appraisal.error.at_line", lang="zh", line=position, problem="；".join(row_problems)))
            continue
        level = LEVEL_WORDS[text["level"]]
        rows.append({"level": level, "place_code": text["place_code"] if level in ("city", "county") else "",
                     "indicator_code": text["indicator_code"], "year": int(float(text["year"])),
                     "target": float(text["target"])})
    if problems:
        raise AppraisalError("target_rows", count=len(problems), problems="\n".join(problems))
    frame = pd.DataFrame(rows, columns=["level", "place_code", "indicator_code", "year", "target"])
    duplicated = frame[frame.duplicated(["level", "place_code", "indicator_code", "year"], keep=False)]
    if len(duplicated):
        first = duplicated.iloc[0]
        raise AppraisalError("target_duplicate", indicator=first["indicator_code"], year=int(first["year"]),
                             place=first["place_code"] or first["level"])
    if frame.empty:
        raise AppraisalError("target_empty")
    return frame


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def _target_problems(text: dict[str, str], indicators: Mapping[str, str], regions: Mapping[str, str]) -> list[str]:
    found = []
    if text["indicator_code"] not in indicators:
        found.append(t("appraisal.error.row_indicator", lang="zh", value=text["indicator_code"] or "（空）"))
    level = LEVEL_WORDS.get(text["level"])
    if level is None:
        found.append(t("appraisal.error.row_level", lang="zh", value=text["level"] or "（空）"))
    elif level in ("city", "county") and regions.get(text["place_code"]) != level:
        found.append(t("appraisal.error.row_place", lang="zh", value=text["place_code"] or "（空）",
                       level=text["level"]))
    try:
        year = float(text["year"])
        if not year.is_integer() or not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError
    except ValueError:
        found.append(t("appraisal.error.row_year", lang="zh", value=text["year"] or "（空）"))
    try:
        target = float(text["target"])
        if not math.isfinite(target) or target < 0:
            raise ValueError
        if indicators.get(text["indicator_code"]) == "%" and target > 100:
            found.append(t("appraisal.error.row_percent", lang="zh", value=text["target"]))
    except ValueError:
        found.append(t("appraisal.error.row_target", lang="zh", value=text["target"] or "（空）"))
    return found


def save_targets(con: duckdb.DuckDBPyConnection, targets: pd.DataFrame, by: str,
                 allows_place: Callable[[str, str], bool], *, at: datetime | None = None) -> int:
    """Store parsed targets (parse_targets), replacing those of the same level, place, indicator and year.
    `allows_place(level, place_code)`: whether the loader may set targets there (a county's officer sets only
    their county's). Returns the rows stored."""
    refused = [row for row in targets.itertuples() if not allows_place(row.level, row.place_code)]
    if refused:
        raise AppraisalError("target_outside", place=refused[0].place_code or refused[0].level)
    if not by.strip():
        raise AppraisalError("who_required")
    ensure_tables(con)
    stamped = targets.assign(loaded_by=by.strip(), loaded_at=at or datetime.now().replace(microsecond=0))
    con.register("new_targets", stamped)
    try:
        con.execute("insert or replace into appraisal_target by name select * from new_targets")
    finally:
        con.unregister("new_targets")
    return len(stamped)


class Target(NamedTuple):
    value: float | None
    level: str | None         # the level it comes from: county, city, province, national or 'catalog'


TargetIndex = Mapping[tuple[str, int, str, str], float]  # (indicator, year, level, place) -> target


def target_index(targets: pd.DataFrame) -> TargetIndex:
    """The rows of queries/appraisal_targets.sql keyed for resolve_target, read once for many lookups."""
    if targets.empty:
        return {}
    return {(str(code), int(year), str(level), str(place or "")): float(value) for code, year, level, place, value in
            zip(targets["indicator_code"], targets["year"], targets["level"], targets["place_code"], targets["target"],
                strict=True)}


def resolve_target(targets: pd.DataFrame | TargetIndex, indicator_code: str, year: int, county_code: str,
                   city_code: str | None, default: float | None) -> Target:
    """The target of `indicator_code` for a county and year: the county's own, else its city's, else the
    province's, else the national one (rows of queries/appraisal_targets.sql, or their target_index), else
    the catalog's default."""
    index = target_index(targets) if isinstance(targets, pd.DataFrame) else targets
    for level, place in (("county", county_code), ("city", city_code), ("province", ""), ("national", "")):
        found = index.get((indicator_code, year, level, place or ""))
        if found is not None:
            return Target(found, level)
    if default is None or (isinstance(default, float) and math.isnan(default)):
        return Target(None, None)
    return Target(float(default), "catalog")


# Scoring schemes ------------------------------------------------------------------------------------------

PRESET, UPLOAD = "preset", "upload"
FALLBACK = f"{PRESET}:national"  # what is active once the active scheme is retired: the national set, unscored


def save_scheme(con: duckdb.DuckDBPyConnection, name: str, file_name: str, text: str, by: str,
                reserved: Collection[str] = (), *, at: datetime | None = None) -> int:
    """Store an uploaded scheme's text (already checked whole by the caller: scoring.parse_scheme) under its
    name; refused when the name is a shipped scheme's (`reserved`) or a scheme's not retired. Returns its id."""
    if not by.strip():
        raise AppraisalError("who_required")
    ensure_tables(con)
    taken = con.execute("select count(*) from appraisal_scheme where name = $name and retired_at is null",
                        {"name": name}).fetchone()
    if name in reserved or (taken and taken[0]):
        raise AppraisalError("scheme_duplicate", name=name)
    rows = con.execute("""
        insert into appraisal_scheme
        select coalesce(max(scheme_id), 0) + 1, $name, $file, $text, $by, $at, null, null,
        from appraisal_scheme
        returning scheme_id
    """, {"name": name, "file": file_name, "text": text, "by": by.strip(),
          "at": at or datetime.now().replace(microsecond=0)}).fetchall()
    return int(rows[0][0])


def retire_scheme(con: duckdb.DuckDBPyConnection, key: str, by: str, *, at: datetime | None = None) -> bool:
    """Retire the uploaded scheme `key` ('upload:<id>') as `by`: no longer offered, its row kept. Refused for a
    shipped scheme. When it was the active one, the national set (FALLBACK) becomes active, chosen by `by`.
    Returns whether it was the active one."""
    kind, _, number = key.partition(":")
    if kind == PRESET:
        raise AppraisalError("scheme_preset")
    if not by.strip():
        raise AppraisalError("who_required")
    ensure_tables(con)
    found = con.execute("select count(*) from appraisal_scheme where scheme_id = $id and retired_at is null",
                        {"id": int(number) if kind == UPLOAD and number.isdigit() else -1}).fetchone()
    if not found or not found[0]:
        raise AppraisalError("scheme_unknown", scheme=key)
    when = at or datetime.now().replace(microsecond=0)
    con.execute("update appraisal_scheme set retired_by = $by, retired_at = $at where scheme_id = $id",
                {"by": by.strip(), "at": when, "id": int(number)})
    newest = con.execute("select scheme_key from appraisal_scheme_choice order by choice_id desc limit 1").fetchone()
    if newest is None or newest[0] != key:
        return False
    choose_scheme(con, FALLBACK, by, [FALLBACK], at=when)
    return True


def choose_scheme(con: duckdb.DuckDBPyConnection, key: str, by: str, known: Collection[str], *,
                  at: datetime | None = None) -> None:
    """Make scheme `key` ('preset:<stem>' or 'upload:<id>', one of `known`) the active one, as `by`."""
    if key not in known:
        raise AppraisalError("scheme_unknown", scheme=key)
    if not by.strip():
        raise AppraisalError("who_required")
    ensure_tables(con)
    con.execute("""
        insert into appraisal_scheme_choice
        select coalesce(max(choice_id), 0) + 1, $key, $by, $at,
        from appraisal_scheme_choice
    """, {"key": key, "by": by.strip(), "at": at or datetime.now().replace(microsecond=0)})
