"""监测与考核 page data: the 14 monitoring items of the counties in a selection for a year (value, last year,
direction, target and its level of origin), officials' judgements of the qualitative items, the submission
workbook, and the scores and ranking of an appraisal scheme."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import pandas as pd

from healthdash.core import indicators as ind
from healthdash.core.exports import TitleBlock, _display_width, sheet_title, write_sheet
from healthdash.core.filters import TIERS, Filters
from healthdash.core.fmt import fmt_pct, fmt_target, fmt_value
from healthdash.core.i18n import t
from healthdash.core.indicators import Indicator
from healthdash.core.monitoring import INDICATOR, ITEMS, QUALITATIVE, Item
from healthdash.core.wording import bracketed
from healthdash.data import appraisal as store
from healthdash.data.appraisal import Target, latest_judgements, resolve_target
from healthdash.data.db import run_query
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.appraisal.scoring import (
    Points,
    Scheme,
    SchemeError,
    load_scheme,
    parse_scheme,
    preset_paths,
    score_rule,
    subtotals,
)

WRAP_WIDTH = 22  # characters (a CJK character counts two)
MONITORED = tuple(item.code for item in ITEMS if item.kind == INDICATOR)


def years() -> list[int]:
    """Years with any indicator data, newest first."""
    months = run_query("data_months")
    if months.empty or pd.isna(months["last_month"].iloc[0]):
        return []
    first, last = pd.Timestamp(months["first_month"].iloc[0]).year, pd.Timestamp(months["last_month"].iloc[0]).year
    return list(range(last, first - 1, -1))


def counties(filters: Filters) -> pd.DataFrame:
    """The counties the selection covers (a city's, a county, or the county an alliance serves)."""
    return run_query("appraisal_counties", city=filters.city, county=filters.county, alliance=filters.alliance)


def _year_params(year: int) -> dict[str, object]:
    return {"month_from": date(year, 1, 1), "month_to": date(year, 12, 1)}


def county_values(filters: Filters, year: int) -> pd.DataFrame:
    """Each monitored indicator of each county in the selection for `year`: county_code, indicator_code, value
    (on value()'s scale: fractions for percentages)."""
    # County-level figures whatever the selection below a county: all tiers, no alliance (its home county).
    frame = run_query("indicator_by_place", codes=list(MONITORED), child_level="county", city=filters.city,
                      county=filters.county, town=None, alliance=None, tiers=list(TIERS), **_year_params(year))
    catalog = indicator_catalog()
    if frame.empty:
        return pd.DataFrame(columns=["county_code", "indicator_code", "value"])
    frame = frame[frame["place_code"].isin(counties(filters)["county_code"])]
    values = [ind.value(catalog[row.indicator_code], row.numerator, None if pd.isna(row.denominator) else row.denominator)
              for row in frame.itertuples()]
    return pd.DataFrame({"county_code": frame["place_code"].to_numpy(), "indicator_code": frame["indicator_code"].to_numpy(),
                         "value": values})


def targets(year: int) -> pd.DataFrame:
    return run_query("appraisal_targets", years=[year - 1, year])


def judgements(codes: list[str], year: int) -> pd.DataFrame:
    """Every judgement of the counties for `year` and the year before, newest first."""
    return run_query("appraisal_judgements", counties=codes, years=[year - 1, year])


def in_unit(indicator: Indicator, value: float | None) -> float | None:
    """A value() on the scale targets are written in (65 for 65%)."""
    if value is None or pd.isna(value):
        return None
    return float(value) * 100 if indicator.is_percent else float(value)


@dataclass(frozen=True)
class Figures:
    """Everything the page shows for a selection and year, read once."""

    year: int
    counties: pd.DataFrame          # county_code, county_name, city_code
    values: pd.DataFrame            # this year: county_code, indicator_code, value
    last: pd.DataFrame              # last year
    targets: pd.DataFrame
    judged: pd.DataFrame            # the newest judgement per county, year and item
    history: pd.DataFrame           # every judgement

    # Lookups by key, built once: a province's ranking asks thousands of times.
    @cached_property
    def _values(self) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
        def keyed(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
            return {(str(county), str(code)): float(value) for county, code, value in
                    zip(frame["county_code"], frame["indicator_code"], frame["value"], strict=True)
                    if value is not None and not pd.isna(value)}
        return keyed(self.values), keyed(self.last)

    @cached_property
    def _judged(self) -> dict[tuple[str, str, int], bool]:
        if self.judged.empty:
            return {}
        return {(str(county), str(code), int(year)): bool(met) for county, code, year, met in
                zip(self.judged["county_code"], self.judged["item_code"], self.judged["year"], self.judged["met"],
                    strict=True)}

    @cached_property
    def _targets(self) -> store.TargetIndex:
        return store.target_index(self.targets)

    @cached_property
    def _cities(self) -> dict[str, str]:
        return {str(county): str(city) for county, city in
                zip(self.counties["county_code"], self.counties["city_code"], strict=True) if not pd.isna(city)}

    def value(self, county: str, code: str, last: bool = False) -> float | None:
        return self._values[1 if last else 0].get((county, code))

    def met(self, county: str, code: str, year: int | None = None) -> bool | None:
        return self._judged.get((county, code, year or self.year))

    @cached_property
    def catalog(self) -> dict[str, Indicator]:
        """The indicator catalog, looked up once (each lookup of the shared one hashes its cache key)."""
        return indicator_catalog()

    def target(self, county: str, code: str, year: int | None = None) -> Target:
        indicator = self.catalog[code]
        return resolve_target(self._targets, code, year or self.year, county, self._cities.get(county),
                              indicator.target)


def figures(filters: Filters, year: int) -> Figures:
    places = counties(filters)
    history = judgements(places["county_code"].tolist(), year) if len(places) else pd.DataFrame(
        columns=["judgement_id", "county_code", "year", "item_code", "met"])
    return Figures(year, places, county_values(filters, year), county_values(filters, year - 1), targets(year),
                   latest_judgements(history), history)


def met_word(met: bool | None, lang: str) -> str:
    return t("appraisal.met.none" if met is None else "appraisal.met.yes" if met else "appraisal.met.no", lang=lang)


def level_word(level: str | None, lang: str) -> str:
    return "" if level is None else t(f"appraisal.level.{level}", lang=lang)


def direction_word(item: Item, lang: str) -> str:
    if item.kind == QUALITATIVE:
        return t("appraisal.direction.qualitative", lang=lang)
    return t(f"appraisal.direction.{indicator_catalog()[item.code].direction}", lang=lang)


def target_shown(indicator: Indicator, value: float | None, lang: str) -> str:
    """A target as stored (percent points for a rate) written with its unit: 90%, 1.00人/万人, 8,000元."""
    if value is None:
        return "—"
    return fmt_target(value / 100 if indicator.is_percent else value, indicator.unit, lang)


def report_table(fig: Figures, county: str, lang: str) -> pd.DataFrame:
    """The 14 items of one county in the layout of the annual report: 序号, area, item, this year, last year,
    change, direction, target, whose target, met."""
    rows = []
    catalog = indicator_catalog()
    for item in ITEMS:
        row = {"no": item.number, "area": t(f"appraisal.area.{item.area}", lang=lang), "item": item.name(lang)}
        if item.kind == QUALITATIVE:
            met, before = fig.met(county, item.code), fig.met(county, item.code, fig.year - 1)
            row |= {"value": met_word(met, lang), "last": met_word(before, lang), "change": "",
                    "target": t("appraisal.met.yes", lang=lang), "origin": t("appraisal.level.national", lang=lang),
                    "status": met_word(met, lang) if met is not None else ""}
        else:
            indicator = catalog[item.code]
            now, before = fig.value(county, item.code), fig.value(county, item.code, last=True)
            target = fig.target(county, item.code)
            delta = ind.change(indicator, now, before)
            meets = None if target.value is None or now is None else (
                in_unit(indicator, now) <= target.value + 1e-9 if indicator.direction == "down"  # type: ignore[operator]
                else in_unit(indicator, now) >= target.value - 1e-9)  # type: ignore[operator]
            row |= {"value": shown(indicator, now, lang), "last": shown(indicator, before, lang),
                    "change": change_text(indicator, delta, lang),
                    "target": target_shown(indicator, target.value, lang),
                    "origin": level_word(target.level, lang),
                    "status": "" if meets is None else met_word(meets, lang)}
        row["direction"] = direction_word(item, lang)
        rows.append(row)
    frame = pd.DataFrame(rows)[["no", "area", "item", "value", "last", "change", "direction", "target", "origin",
                                "status"]]
    return frame.rename(columns={key: t(f"appraisal.col.{key}", lang=lang) for key in frame.columns})


def shown(indicator: Indicator, value: float | None, lang: str) -> str:
    """A value as the report writes it; rates under 1% (premature mortality) keep two decimals."""
    if value is None:
        return "—"
    if indicator.unit == "%" and abs(value) < 0.01:
        return fmt_pct(value, 2, lang=lang)
    return fmt_value(value, indicator.unit, lang, compact=False)


def change_text(indicator: Indicator, delta: float | None, lang: str) -> str:
    if delta is None:
        return "—"
    kind = ind.change_kind(indicator)
    if kind == "pp":
        digits = 2 if abs(delta) < 0.001 else 1  # premature mortality moves by hundredths of a point
        points = round(delta * 100, digits)
        return t("appraisal.change.pp", lang=lang, value=f"{points:+.{digits}f}" if points else f"{0:.{digits}f}")
    if kind == "ratio":
        return f"{delta:+.2f}"
    return t("appraisal.change.growth", lang=lang, value=f"{delta * 100:+.1f}")


# The submission workbook -----------------------------------------------------------------------------------


def _header(item: Item, lang: str) -> str:
    if item.kind != INDICATOR:
        return f"{item.number}. {item.name(lang)}"
    unit = indicator_catalog()[item.code].unit
    return bracketed(f"{item.number}. {item.name(lang)}", unit, lang)


def submission_frame(fig: Figures, lang: str) -> pd.DataFrame:
    """One row per county: code, name, year and the 14 items (numbers in the indicator's unit, qualitative
    items as words), as the county submits them."""
    catalog = indicator_catalog()
    rows = []
    for county in fig.counties.itertuples():
        row: dict[str, object] = {t("appraisal.col.county_code", lang=lang): county.county_code,
                                  t("appraisal.col.county", lang=lang): county.county_name,
                                  t("appraisal.col.year", lang=lang): fig.year}
        for item in ITEMS:
            if item.kind == QUALITATIVE:
                cell: object = met_word(fig.met(county.county_code, item.code), lang)
            else:
                number = in_unit(catalog[item.code], fig.value(county.county_code, item.code))
                cell = None if number is None else round(number, 4)
            row[_header(item, lang)] = cell
        rows.append(row)
    return pd.DataFrame(rows)


def definitions_frame(lang: str) -> pd.DataFrame:
    catalog = indicator_catalog()
    rows = []
    for item in ITEMS:
        if item.kind == INDICATOR:
            indicator = catalog[item.code]
            definition, proposed = indicator.definition(lang), "P" if indicator.proposed else ""
            source, unit = indicator.target_source or "", indicator.unit
        else:
            definition, source, unit = t("appraisal.qualitative_definition", lang=lang), t("appraisal.source", lang=lang), ""
            proposed = ""
        rows.append({t("appraisal.col.no", lang=lang): item.number, t("appraisal.col.area", lang=lang):
                     t(f"appraisal.area.{item.area}", lang=lang), t("appraisal.col.item", lang=lang): item.name(lang),
                     t("appraisal.col.code", lang=lang): item.code, t("appraisal.col.unit", lang=lang): unit,
                     t("appraisal.col.direction", lang=lang): direction_word(item, lang),
                     t("appraisal.col.definition", lang=lang): definition,
                     t("appraisal.col.proposed", lang=lang): proposed, t("appraisal.col.source", lang=lang): source})
    return pd.DataFrame(rows)


def workbook_bytes(sheets: list[tuple[str, pd.DataFrame]], block: TitleBlock | None = None,
                   lang: str = "zh") -> bytes:
    """A workbook of the frames, each sheet under the title block (place, year, 数据截至, demo), its header
    frozen: the row under the freeze reads back as a table. Printed landscape, one page wide."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    # A year is a label, not a count: 2025, never 2,025.
    kinds = {t("appraisal.col.year", lang=lang): "year"}
    for name, frame in sheets:
        sheet = book.create_sheet(sheet_title(name))
        header = write_sheet(sheet, frame, block, kinds)
        _wrap_wide_columns(sheet, header)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _wrap_wide_columns(sheet: object, header: int) -> None:
    """Long headers (the items' names) and definitions wrap in columns of at most WRAP_WIDTH characters, so
    that a printed page stays readable instead of shrinking to fit one long line. Row heights are set, since
    spreadsheets do not grow a row for wrapped text they did not lay out themselves."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import column_index_from_string

    for row in sheet.iter_rows(min_row=header):  # type: ignore[attr-defined]
        for cell in row:
            cell.alignment = Alignment(vertical="top")
    lines: dict[int, int] = {}
    for letter, dimension in list(sheet.column_dimensions.items()):  # type: ignore[attr-defined]
        if (dimension.width or 0) <= WRAP_WIDTH:
            continue
        dimension.width = WRAP_WIDTH
        column = column_index_from_string(letter)
        for row in sheet.iter_rows(min_row=header, min_col=column, max_col=column):  # type: ignore[attr-defined]
            cell = row[0]
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            width = _display_width("" if cell.value is None else str(cell.value))
            lines[cell.row] = max(lines.get(cell.row, 1), -(-width // (WRAP_WIDTH - 2)))
    for number, count in lines.items():
        if count > 1:
            sheet.row_dimensions[number].height = 15 * count  # type: ignore[attr-defined]


def submission_workbook(fig: Figures, lang: str, block: TitleBlock | None = None) -> bytes:
    return workbook_bytes([(t("appraisal.sheet.monitoring", lang=lang), submission_frame(fig, lang)),
                           (t("appraisal.sheet.definitions", lang=lang), definitions_frame(lang))], block, lang)


# Scores ----------------------------------------------------------------------------------------------------


def county_points(scheme: Scheme, fig: Figures, county: str, year: int | None = None) -> list[Points]:
    catalog = fig.catalog
    year = year or fig.year
    last = year != fig.year
    points = []
    for rule in scheme.rules:
        if rule.kind == "qualitative" or rule.indicator not in catalog:
            points.append(score_rule(rule, None, None, "up", fig.met(county, rule.indicator, year)))
            continue
        indicator = catalog[rule.indicator]
        value = in_unit(indicator, fig.value(county, rule.indicator, last=last))
        points.append(score_rule(rule, value, fig.target(county, rule.indicator, year).value, indicator.direction,
                                 unit=indicator.unit))
    return points


def ranking(scheme: Scheme, fig: Figures, lang: str) -> pd.DataFrame:
    """Every county's total, dimension subtotals, rank, change against last year and the indicator where it
    lost most, best first."""
    rows = []
    for county in fig.counties.itertuples():
        points = county_points(scheme, fig, county.county_code)
        before = county_points(scheme, fig, county.county_code, fig.year - 1)
        total = sum(p.points or 0.0 for p in points)
        last_total = sum(p.points or 0.0 for p in before)
        worst = max(points, key=lambda p: p.lost)
        row: dict[str, object] = {"county_code": county.county_code, "county": county.county_name,
                                  "total": round(total, 2), **{k: round(v, 2) for k, v in subtotals(points).items()},
                                  "change": round(total - last_total, 2),
                                  "most_lost": "" if worst.lost <= 0 else
                                  bracketed(item_name(worst.indicator, lang), f"-{round(worst.lost, 1):g}", lang)}
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.sort_values(["total", "county_code"], ascending=[False, True]).reset_index(drop=True)
    frame.insert(0, "rank", frame["total"].rank(method="min", ascending=False).astype(int))
    return frame


def item_name(code: str, lang: str) -> str:
    return next(item.name(lang) for item in ITEMS if item.code == code)


def ranking_table(frame: pd.DataFrame, scheme: Scheme, lang: str) -> pd.DataFrame:
    """The ranking with headers in `lang` (dimension columns in the scheme's names for `lang`)."""
    names = {"rank": "rank", "county_code": "county_code", "county": "county", "total": "total",
             "change": "score_change", "most_lost": "most_lost"}
    return frame.rename(columns={key: t(f"appraisal.col.{value}", lang=lang) for key, value in names.items()}
                        | {dimension: scheme.dimension_label(dimension, lang) for dimension in scheme.dimensions})


def explanation_frame(scheme: Scheme, fig: Figures, county: str, lang: str) -> pd.DataFrame:
    """Each rule's points for one county, with why."""
    rows = [{t("appraisal.col.dimension", lang=lang): scheme.dimension_label(p.dimension, lang),
             t("appraisal.col.item", lang=lang):
             item_name(p.indicator, lang), t("appraisal.col.weight", lang=lang): p.weight,
             t("appraisal.col.points", lang=lang): None if p.points is None else round(p.points, 2),
             t("appraisal.col.lost", lang=lang): round(p.lost, 2),
             t("appraisal.col.why", lang=lang): p.explanation(lang)}
            for p in county_points(scheme, fig, county)]
    return pd.DataFrame(rows)


def appraisal_workbook(scheme: Scheme, fig: Figures, lang: str, block: TitleBlock | None = None) -> bytes:
    """The ranking, then one sheet per county explaining its points."""
    sheets = [(t("appraisal.sheet.ranking", lang=lang), ranking_table(ranking(scheme, fig, lang), scheme, lang))]
    sheets += [(f"{county.county_name}", explanation_frame(scheme, fig, county.county_code, lang))
               for county in fig.counties.itertuples()]
    return workbook_bytes(sheets, block, lang)


# Which scheme --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offered:
    """A scheme the page offers: shipped (preset) or uploaded by the commission."""

    key: str                  # 'preset:<file stem>' or 'upload:<scheme_id>'
    scheme: Scheme
    file_name: str
    uploaded_by: str | None   # None for a shipped scheme
    uploaded_at: object


@dataclass(frozen=True)
class Active:
    offered: Offered
    chosen_by: str
    chosen_at: object


def directions() -> dict[str, str]:
    return {code: indicator.direction for code, indicator in indicator_catalog().items()}


def offered_schemes() -> tuple[dict[str, Offered], list[str]]:
    """Every scheme on offer by key (shipped first, then uploads, oldest first) and the problems of any that
    no longer passes the checks (a shipped file edited by hand), which is left out."""
    found: dict[str, Offered] = {}
    problems: list[str] = []
    known = directions()
    for path in preset_paths():
        try:
            found[f"{store.PRESET}:{path.stem}"] = Offered(f"{store.PRESET}:{path.stem}", load_scheme(path, known),
                                                          path.name, None, None)
        except SchemeError as refused:
            problems.append(t("appraisal.page.scheme_refused", file=path.name, problems=str(refused)))
    for row in run_query("appraisal_schemes").itertuples():
        key = f"{store.UPLOAD}:{row.scheme_id}"
        try:
            found[key] = Offered(key, parse_scheme(row.text, known), row.file_name, row.uploaded_by, row.uploaded_at)
        except SchemeError as refused:
            problems.append(t("appraisal.page.scheme_refused", file=row.file_name, problems=str(refused)))
    return found, problems


def active_scheme(offered: dict[str, Offered] | None = None) -> Active | None:
    """The scheme an official made active (the newest choice), or None when none was chosen or the chosen
    one is no longer on offer."""
    choice = run_query("appraisal_scheme_choice")
    if choice.empty:
        return None
    offered = offered_schemes()[0] if offered is None else offered
    row = choice.iloc[0]
    found = offered.get(str(row["scheme_key"]))
    return None if found is None else Active(found, str(row["chosen_by"]), row["chosen_at"])
