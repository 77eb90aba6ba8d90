"""情景推演 What-if figures: the levers' ranges, the selection's counts before and after, and the tables the
page shows. The arithmetic itself is scenario.py; the sliders are in views.py, the charts in charts.py."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from healthdash.core import exports, wording
from healthdash.core.filters import Filters, add_months
from healthdash.core.fmt import fmt_number, fmt_pct, fmt_value
from healthdash.core.i18n import current_lang, t
from healthdash.core.indicators import Indicator, change, change_kind, meets_target
from healthdash.data.db import run_query
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.whatif import scenario
from healthdash.domains.whatif.scenario import Counts, Levers


@dataclass(frozen=True)
class LeverSpec:
    """A slider: URL key (also the widget key), range, default and step, in the unit the user sees."""

    key: str
    low: int
    high: int
    default: int
    step: int
    percent: bool = True


LEVERS: dict[str, LeverSpec] = {
    spec.key: spec
    for spec in (
        LeverSpec("back", 0, 60, 0, 5),
        LeverSpec("shift", 0, 30, 0, 1),
        LeverSpec("down", 0, 60, 0, 5),
        LeverSpec("fd_add", 0, 300_000, 0, 5_000, percent=False),
        LeverSpec("fd_teams", 0, 300, 0, 5, percent=False),
        LeverSpec("fd_size", 200, 2_000, 1_000, 100, percent=False),
        # The seed reports' 自贡 policy: 20% of expert appointments and 10% of beds for referrals.
        LeverSpec("res_appt", 0, 50, 20, 5),
        LeverSpec("res_bed", 0, 30, 10, 5),
    )
}
FD_MODE_KEY = "fd_mode"
FD_MODES = ("residents", "teams")
RANK_KEY = "wrank"
URL_KEYS = (*LEVERS, FD_MODE_KEY, RANK_KEY)
# Rising percentage indicators, drawn on one axis in the before/after chart; the rest (counts, the ratio,
# the low out-of-county rate that would squeeze the axis) are in the table only.
PERCENT_CODES = (
    "county_retention_rate",
    "in_county_inpatient_share",
    "ins_fund_in_county_share",
    "primary_visit_share",
    "fd_coverage",
)


# ---------------------------------------------------------------------------------------------- data


def _last_year(filters: Filters) -> dict[str, object]:
    return {"prev_from": add_months(filters.month_from, -12), "prev_to": add_months(filters.month_to, -12)}


def counts_by_county(filters: Filters) -> pd.DataFrame:
    return run_query("scenario_counts_by_county", **filters.sql_params(), **_last_year(filters))


def to_counts(row: pd.Series) -> Counts:
    return Counts(**{name: float(row[name]) for name in Counts.__dataclass_fields__})


def receivers(filters: Filters) -> list[scenario.Receiver]:
    frame = run_query("scenario_reserve_receivers", **filters.sql_params())

    def known(value: object) -> float | None:
        return None if pd.isna(value) else float(value)

    return [
        scenario.Receiver(
            name=row.facility_name,
            referrals_received=float(row.referrals_received),
            selection_up=float(row.selection_up),
            selection_out_of_county=float(row.selection_out_of_county),
            outpatient_visits=known(row.outpatient_visits),
            discharges=known(row.discharges),
        )
        for row in frame.itertuples(index=False)
    ]


def ranking_scope(filters: Filters) -> Filters:
    """Which counties the ranking compares: those of the selection, or for one county or town, every
    county of its city (so the page shows where the selected county would stand)."""
    if filters.level in ("county", "town"):
        return replace(filters, county=None, town=None)
    return filters


@dataclass(frozen=True)
class Outcome:
    before: Counts
    after: Counts
    counties: pd.DataFrame  # county_code, county_name, selected, before (Counts), after (Counts)


def outcome(filters: Filters, levers: Levers) -> Outcome:
    """The selection's counts before and after, and every ranked county's.

    A ranked county gets the levers' effect on the part of it inside the selection:
    after = before + (apply(part) − part); for a whole county the part is the county itself.
    """
    selection = counts_by_county(filters)
    scope = ranking_scope(filters)
    ranked = selection if scope == filters else counts_by_county(scope)
    parts = {row["county_code"]: to_counts(row) for _, row in selection.iterrows()}
    before = scenario.total(parts.values())
    rows = []
    for _, row in ranked.iterrows():
        base = to_counts(row)
        part = parts.get(row["county_code"])
        if part is None:
            after = base
        else:
            share = part.population / before.population if before.population else 0.0
            after = base + (scenario.apply(part, scenario.spread_contracts(levers, share)) - part)
        rows.append({"county_code": row["county_code"], "county_name": row["county_name"],
                     "selected": part is not None, "before": base, "after": after})
    return Outcome(before=before, after=scenario.apply(before, levers), counties=pd.DataFrame(rows))


# ---------------------------------------------------------------------------------------------- tables


def comparison(result: Outcome) -> pd.DataFrame:
    """One row per affected indicator: code, name, before, after, target value, and formatted texts."""
    lang = current_lang()
    catalog = indicator_catalog()
    before, after = scenario.values(result.before), scenario.values(result.after)
    rows = []
    for code in scenario.AFFECTED:
        indicator = catalog[code]
        rows.append({
            "code": code,
            "name": indicator.name(lang),
            "before": before[code],
            "after": after[code],
            "target": indicator.target_value,
            "before_text": fmt_value(before[code], indicator.unit, lang=lang),
            "after_text": fmt_value(after[code], indicator.unit, lang=lang),
            "change_text": wording.change_text(indicator, after[code], before[code], lang),
            "target_text": wording.target_bound(indicator, lang),
            "before_status": wording.status_label(meets_target(indicator, before[code]), lang),
            "after_status": wording.status_label(meets_target(indicator, after[code]), lang),
        })
    return pd.DataFrame(rows)


def comparison_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparison with Chinese headers, for the page and the downloads."""
    return pd.DataFrame({
        t("whatif.col_indicator"): frame["name"],
        t("whatif.col_before"): frame["before_text"],
        t("whatif.col_after"): frame["after_text"],
        t("whatif.col_change"): frame["change_text"],
        t("whatif.col_target"): frame["target_text"],
        t("whatif.col_before_status"): frame["before_status"],
        t("whatif.col_after_status"): frame["after_status"],
    })


def comparison_export(frame: pd.DataFrame) -> tuple[pd.DataFrame, exports.Kinds]:
    """The comparison to download: before, after and target as numbers in each indicator's unit (named in
    a unit column, since rows mix them), the change in percentage points for rates, as a ratio's
    difference, or as growth for counts; pass or fail as words."""
    lang = current_lang()
    catalog = indicator_catalog()
    indicators = [catalog[code] for code in frame["code"]]
    kinds = [exports.kind_of(indicator) for indicator in indicators]
    # indicators.change_kind names its kinds as exports does: pp, ratio, growth.
    change_kinds = [change_kind(indicator) for indicator in indicators]
    changes = []
    for indicator, kind, old, new in zip(indicators, change_kinds, frame["before"], frame["after"], strict=True):
        delta = None if pd.isna(old) or pd.isna(new) else change(indicator, new, old)
        changes.append(None if delta is None else delta * 100 if kind == exports.PP else delta)
    before, after, delta_col = t("whatif.col_before"), t("whatif.col_after"), t("whatif.col_change")
    target = t("whatif.col_target")
    table = pd.DataFrame({
        t("whatif.col_indicator"): frame["name"].astype(str).to_numpy(),
        t("export.col_unit"): [exports.unit_label(indicator, lang) for indicator in indicators],
        before: frame["before"].astype(float).to_numpy(),
        after: frame["after"].astype(float).to_numpy(),
        delta_col: changes,
        t("export.col_direction"): ["" if i.target is None else wording.target_sign(i) for i in indicators],
        target: frame["target"].astype(float).to_numpy(),
        t("whatif.col_before_status"): [wording.status_word(meets_target(i, v), lang)
                                        for i, v in zip(indicators, frame["before"], strict=True)],
        t("whatif.col_after_status"): [wording.status_word(meets_target(i, v), lang)
                                       for i, v in zip(indicators, frame["after"], strict=True)],
    })
    return table, {before: kinds, after: kinds, target: kinds, delta_col: change_kinds}


def lever_line(levers: Levers) -> str:
    """The levers that are set, short enough for the slideshow's one title line ("杠杆：回流30%，签约+2,000人")."""
    lang = current_lang()
    gap = " " if lang == "en" else ""

    def share(key: str, value: float) -> str:
        return f"{t(f'whatif.short_{key}')}{gap}{fmt_pct(value, 0, lang=lang)}"

    set_ = [(levers.bring_back, share("back", levers.bring_back)),
            (levers.shift_primary, share("shift", levers.shift_primary)),
            (levers.down_growth, share("down", levers.down_growth)),
            (levers.contracts_added,
             f"{t('whatif.short_contracts')}{gap}{fmt_value(levers.contracts_added, '人', lang=lang)}"),
            (levers.reserve_appointments, share("res_appt", levers.reserve_appointments)),
            (levers.reserve_beds, share("res_bed", levers.reserve_beds))]
    items = [text for value, text in set_ if value]
    if not items:
        return t("whatif.levers_unset")
    return t("whatif.levers_short", items=(", " if lang == "en" else "，").join(items))


def lever_notes(levers: Levers) -> tuple[str, ...]:
    """The levers in words, two lines (for the title block of an exported file: a what-if figure means
    nothing without the settings behind it)."""
    lang = current_lang()
    separator = "; " if lang == "en" else "；"

    def share(key: str, value: float) -> str:
        return f"{t(f'whatif.lever_{key}')} {fmt_pct(value, 0, lang=lang)}"

    flows = [share("back", levers.bring_back), share("shift", levers.shift_primary),
             share("down", levers.down_growth)]
    supply = [f"{t('whatif.fd_mode')} {fmt_value(levers.contracts_added, '人', lang=lang)}",
              share("res_appt", levers.reserve_appointments), share("res_bed", levers.reserve_beds)]
    return t("whatif.levers_line", items=separator.join(flows)), separator.join(supply)


# ---------------------------------------------------------------------------------------------- ranking


RANKING_CLICK = "county_click"  # a click on a county's dot in `ranking_chart`


def ranking(result: Outcome, indicator: Indicator) -> pd.DataFrame:
    """Counties by `indicator` before and after, with their rank each time (1 = best)."""
    rows = []
    for row in result.counties.itertuples(index=False):
        rows.append({
            "county_code": row.county_code,
            "county_name": row.county_name,
            "selected": row.selected,
            "before": scenario.values(row.before)[indicator.code],
            "after": scenario.values(row.after)[indicator.code],
        })
    frame = pd.DataFrame(rows, columns=["county_code", "county_name", "selected", "before", "after"]).dropna(
        subset=["before", "after"]
    )
    if frame.empty:
        return frame
    ascending = indicator.direction == "down"
    frame["rank_before"] = frame["before"].rank(ascending=ascending, method="min").astype(int)
    frame["rank_after"] = frame["after"].rank(ascending=ascending, method="min").astype(int)
    return frame.sort_values(["rank_after", "county_name"]).reset_index(drop=True)


def ranking_table(frame: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    lang = current_lang()

    def moved(before: int, after: int) -> str:
        if after < before:
            return t("whatif.rank_up", n=before - after)
        if after > before:
            return t("whatif.rank_down", n=after - before)
        return t("whatif.rank_same")

    return pd.DataFrame({
        t("whatif.col_county"): frame["county_name"],
        t("whatif.col_before"): [fmt_value(v, indicator.unit, lang=lang, compact=False) for v in frame["before"]],
        t("whatif.col_rank_before"): frame["rank_before"],
        t("whatif.col_after"): [fmt_value(v, indicator.unit, lang=lang, compact=False) for v in frame["after"]],
        t("whatif.col_rank_after"): frame["rank_after"],
        t("whatif.col_rank_change"): [moved(b, a) for b, a in zip(frame["rank_before"], frame["rank_after"],
                                                                    strict=True)],
    })


def ranking_export(frame: pd.DataFrame, indicator: Indicator) -> tuple[pd.DataFrame, exports.Kinds]:
    """The county ranking to download: values and target as numbers, ranks as whole numbers, the move in
    words and pass or fail after the change as a word."""
    lang = current_lang()
    kind = exports.kind_of(indicator)
    before, after = t("whatif.col_before"), t("whatif.col_after")
    target = exports.target_header(indicator, lang)
    table = ranking_table(frame, indicator).assign(**{
        before: frame["before"].astype(float).to_numpy(),
        after: frame["after"].astype(float).to_numpy(),
        target: [indicator.target_value] * len(frame),
        t("whatif.col_after_status"): [wording.status_word(meets_target(indicator, v), lang) for v in frame["after"]],
    })
    return table, {before: kind, after: kind, target: kind}


# ---------------------------------------------------------------------------------------------- money, reserve


def fund_text(result: Outcome) -> tuple[str, str]:
    """The insurance fund kept in the county (元, formatted) and the per-case figure it rests on."""
    lang = current_lang()
    kept = scenario.fund_kept(result.before, result.after)
    per_case = scenario.fund_per_admission_out(result.before)
    return fmt_value(kept, "元", lang=lang), fmt_value(per_case, "元", lang=lang)


def reserve_texts(reserve: scenario.Reserve) -> dict[str, str]:
    lang = current_lang()
    return {
        "demand": fmt_value(reserve.demand, "人次", lang=lang),
        "appointments": fmt_value(reserve.appointments, "人次", lang=lang),
        "admissions": fmt_value(reserve.admissions, "人次", lang=lang),
        "appointment_coverage": _coverage_text(reserve.appointment_coverage),
        "bed_coverage": _coverage_text(reserve.bed_coverage),
        "unknown": fmt_value(reserve.demand_unknown, "人次", lang=lang),
    }


def _coverage_text(coverage: float | None) -> str:
    if coverage is None:
        return "—"
    return t("whatif.coverage_times", times=fmt_number(coverage, 1)) if coverage >= 1 else t(
        "whatif.coverage_share", share=fmt_value(coverage, "%", lang=current_lang()))
