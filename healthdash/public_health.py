"""公共卫生 Public health: the figures and views of the page, place by place against targets.

Data: `standings` reads queries/public_health_by_place.sql (numerator and denominator per place and
indicator, stocks at the last month) and adds value, band and the gaps in points and in people; the
banding and the people arithmetic are healthdash.scorecard's. Views: the scorecard (a Styler over
numbers, so sorting stays numeric), the trend and distribution of one indicator, the towns below target,
key groups beside overall coverage, immunisation and screening by place.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import altair as alt
import pandas as pd
import streamlit as st

from healthdash import charts, downloads, exports, presenter, scorecard, ui
from healthdash import indicators as ind
from healthdash.chart_cache import ChartSpec, cached_spec
from healthdash.db import per_selection, run_query
from healthdash.filters import Filters, add_months, as_date
from healthdash.fmt import fmt_count, fmt_month, fmt_period, fmt_pp, fmt_value
from healthdash.i18n import current_lang, t
from healthdash.indicators import Indicator
from healthdash.kpi import Kpi, indicator_catalog
from healthdash.markup import inert
from healthdash.wording import target_text

# The public-health table of data/INDICATORS.md, in its order; family-doctor teams are context (no target).
CODES: list[str] = [
    "fd_coverage",
    "fd_key_pop_coverage",
    "child_immunization_rate",
    "hpv_first_doses",
    "cervical_screening_rate",
    "breast_screening_rate",
    "elderly_health_mgmt_rate",
    "htn_std_mgmt_rate",
    "t2dm_std_mgmt_rate",
    "htn_bp_control_rate",
    "ehr_coverage",
    "premarital_checks",
    "prepregnancy_checks",
]
CONTEXT: list[str] = ["fd_teams"]
# Headline cards: those with a target first, then the ones only monitored; `headline_grid` splits them
# by the targets in the database (a deployment may set or drop targets).
HEADLINE: list[str] = [
    "fd_coverage", "fd_key_pop_coverage", "child_immunization_rate", "cervical_screening_rate",
    "htn_std_mgmt_rate", "t2dm_std_mgmt_rate", "fd_teams", "hpv_first_doses", "breast_screening_rate",
    "elderly_health_mgmt_rate", "htn_bp_control_rate", "ehr_coverage", "premarital_checks", "prepregnancy_checks",
]
# The period's screenings, told under the coverage cards (coverage counts people over years).
SCREENING_COUNTS: dict[str, str] = {
    "cervical_screening_rate": "cervical_screenings", "breast_screening_rate": "breast_screenings",
}
PICK_KEY = "ph_indicator"

# Chart marks sit on white, so they take the stronger shades of the table's band colours.
BAND_COLORS: dict[str, str] = {
    scorecard.FAR_BELOW: charts.ORANGE,
    scorecard.BELOW: "#f2a65a",
    scorecard.MET: charts.BLUE,
    scorecard.NO_TARGET: charts.GRAY,
}
KEY_GROUP_COLOR = "#5b8fd6"
# A click on a place's bar in a chart of places (show_place_chart).
_PLACE_CLICK = alt.selection_point(name="place_click", fields=["place_code"])


def place_level(filters: Filters) -> str:
    """The places the scorecard compares: cities at the top, counties in a city, towns in a county
    (and the town itself when one is selected)."""
    return {"all": "city", "city": "county"}.get(filters.level, "town")


def _margin(indicator: Indicator) -> float:
    target = indicator.target_value
    return scorecard.far_margin(target, indicator.is_percent) if target is not None else 0.0


def band_of(indicator: Indicator, value: float | None) -> str:
    return scorecard.band(value, indicator.target_value, indicator.direction, _margin(indicator))


@per_selection
def standings(filters: Filters, level: str) -> pd.DataFrame:
    """One row per place and indicator (public health and context) with data.

    Columns: indicator_code, place_code, place_name, county_name, city_name, numerator, denominator,
    months, last_month, value, target, band, gap (value − target), people_n, people_d (the numerator and
    denominator as people), people_gap (more people needed to reach the target).
    """
    catalog = indicator_catalog()
    frame = run_query("public_health_by_place", codes=CODES + CONTEXT, place_level=level, **filters.sql_params())
    rows = []
    for row in frame.itertuples(index=False):
        indicator = catalog[row.indicator_code]
        value = ind.value(indicator, row.numerator, row.denominator)
        target = indicator.target_value
        denominator = None if pd.isna(row.denominator) else float(row.denominator)
        people_n, people_d = float(row.numerator), denominator
        rows.append({
            **row._asdict(),
            "value": value,
            "target": target,
            "band": band_of(indicator, value),
            "gap": None if value is None or target is None else value - target,
            "people_n": people_n,
            "people_d": people_d,
            "people_gap": scorecard.people_gap(people_n, people_d, target) if indicator.is_rate else None,
        })
    columns = [*frame.columns, "value", "target", "band", "gap", "people_n", "people_d", "people_gap"]
    result = pd.DataFrame(rows, columns=columns)
    # Missing values as NaN in float columns: charts sort and scale them as numbers.
    return result.astype({"value": "float64", "target": "float64", "gap": "float64", "people_d": "float64"})


# ------------------------------------------------------------------------------------------- headline


def _totals(filters: Filters) -> dict[str, tuple[float, float | None, int, object]]:
    """The selection's numerator, denominator, months and last month per indicator (current period);
    the same query and parameters as kpi.headline, so it is read from the cache."""
    catalog = indicator_catalog()
    plain = [code for code in HEADLINE if catalog[code].aggregation != "growth"] + list(SCREENING_COUNTS.values())
    frame = run_query("indicator_totals", codes=plain, **filters.sql_params())
    frame = frame[frame["period"] == "current"]
    return {
        row.indicator_code: (float(row.numerator), None if pd.isna(row.denominator) else float(row.denominator),
                             int(row.months), row.last_month)
        for row in frame.itertuples(index=False)
    }


def headline_notes(filters: Filters) -> dict[str, str]:
    """Under each headline card, the people behind the figure: '6月末签约 171,200人 / 常住人口 254,000人'."""
    lang = current_lang()
    totals = _totals(filters)
    notes = {}
    for code, (n, d, _months, last_month) in totals.items():
        if code in SCREENING_COUNTS.values():
            continue
        values = {"n": fmt_count(n), "d": fmt_count(d), "month": fmt_month(last_month, lang=lang)}
        if code in SCREENING_COUNTS:
            screened = totals.get(SCREENING_COUNTS[code])
            values["count"] = fmt_count(screened[0]) if screened else "—"
        if code == "fd_teams":
            contracted = totals.get("fd_coverage")
            values["per_team"] = fmt_count(contracted[0] / n) if contracted and n else "—"
        notes[code] = t(f"public_health.note.{code}", **values)
    return notes


# Metric labels may wrap onto a second line instead of being cut off ("居民健康档案建…"); the style
# lives in this page's elements, so it goes when the page does.
_WRAP_LABELS = '<style>[data-testid="stMetricLabel"] p {white-space: normal; overflow: visible;}</style>'


def headline_grid(kpis: list[Kpi], notes: dict[str, str], filters: Filters) -> None:
    """Indicators with a target as full cards three to a row; the others, monitored only, as compact
    cards (no sparkline) four to a row. Each card carries the people behind its figure."""
    st.html(_WRAP_LABELS)
    judged = [kpi for kpi in kpis if kpi.indicator.target is not None]
    monitored = [replace(kpi, spark=[]) for kpi in kpis if kpi.indicator.target is None]
    for title, group, per_row in ((t("public_health.judged"), judged, 3),
                                  (t("public_health.monitored"), monitored, 4)):
        if not group:
            continue
        st.markdown(f"**{title}**")
        for start in range(0, len(group), per_row):
            columns = st.columns(per_row)
            for column, kpi in zip(columns, group[start:start + per_row], strict=False):
                with column:
                    ui.kpi_card(kpi, filters, notes.get(kpi.indicator.code))


# ------------------------------------------------------------------------------------------- scorecard


@dataclass(frozen=True)
class Scorecard:
    """The scorecard in two shapes: `values` (numbers; place name, shortfalls, one column per indicator
    code) and `bands` (band keys, same shape; None where no band applies); `codes`, the places' codes in
    the order of the rows."""

    level: str
    values: pd.DataFrame
    bands: pd.DataFrame
    codes: tuple[str, ...] = ()


def build_scorecard(standing: pd.DataFrame, level: str) -> Scorecard:
    codes = CODES + CONTEXT
    if standing.empty:
        empty = pd.DataFrame(columns=["place_name", "shortfalls", *codes])
        return Scorecard(level, empty, empty.copy())
    places = standing.drop_duplicates("place_code").set_index("place_code")["place_name"]
    values = standing.pivot_table(index="place_code", columns="indicator_code", values="value", aggfunc="first",
                                  dropna=False)
    bands = standing.pivot(index="place_code", columns="indicator_code", values="band")
    values = values.reindex(index=places.index, columns=codes)
    bands = bands.reindex(index=places.index, columns=codes)
    shortfalls = bands.isin(scorecard.SHORT_OF_TARGET).sum(axis=1)
    values.insert(0, "shortfalls", shortfalls)
    values.insert(0, "place_name", places)
    order = values.sort_values(["shortfalls", "place_name"], ascending=[False, True]).index
    values = values.loc[order].reset_index(drop=True)
    bands = bands.loc[order].reset_index(drop=True)
    bands.insert(0, "shortfalls", None)
    bands.insert(0, "place_name", None)
    # No data for an indicator in a place is an empty cell, not a band.
    bands = bands.where(bands != scorecard.NO_DATA, None)
    values.columns.name = None
    bands.columns.name = None
    return Scorecard(level, values, bands, tuple(str(code) for code in order))


def short_name(code: str) -> str:
    return t(f"public_health.short.{code}")


def long_header(indicator: Indicator, lang: str) -> str:
    """'家庭医生签约率（%，目标 ≥75%）': the XLSX header names the indicator, its unit and target."""
    unit = indicator.unit
    parts = [unit] if unit else []
    if indicator.target is not None:
        parts.append(target_text(indicator))
    return f"{indicator.name(lang)}（{'，'.join(parts)}）" if parts else indicator.name(lang)


def _cell_text(indicator: Indicator, lang: str) -> Callable[[float], str]:
    """A Styler formatter: the value as the page prints it, with the band's mark (✓, ✗, ✗✗)."""

    def render(value: float) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        text = fmt_value(value, "%", lang=lang) if indicator.is_percent else fmt_count(value)
        mark = scorecard.MARKS[band_of(indicator, value)]
        return f"{text} {mark}" if mark else text

    return render


def show_scorecard(card: Scorecard, filters: Filters) -> None:
    lang = current_lang()
    catalog = indicator_catalog()
    codes = CODES + CONTEXT
    level_name = t(f"level.{card.level}")
    st.caption(t("public_health.scorecard_caption", level=level_name,
                 period=fmt_period(filters.month_from, filters.month_to, lang=lang)))
    if filters.level == "town":
        st.caption(t("public_health.scorecard_town_note"))
    headers = {"place_name": level_name, "shortfalls": t("public_health.shortfalls")}
    headers |= {code: short_name(code) for code in codes}
    values = card.values.rename(columns=headers)
    bands = card.bands.rename(columns=headers)
    formatters = {headers[code]: _cell_text(catalog[code], lang) for code in codes}
    formatters[headers["shortfalls"]] = "{:d}".format
    config: dict[str, object] = {
        headers["shortfalls"]: st.column_config.NumberColumn(help=t("public_health.shortfalls_help")),
    }
    for code in codes:
        indicator = catalog[code]
        config[headers[code]] = st.column_config.Column(
            help=f"{inert(indicator.name(lang))}｜{target_text(indicator)}｜{inert(indicator.definition(lang))}"
        )
    height = "content" if len(values) <= 20 else 36 * 21
    config[level_name] = st.column_config.TextColumn(pinned=True, help=t("public_health.place_click"))
    # The place is part of the key: after a drill-down the next scorecard starts without a selection.
    event = st.dataframe(scorecard.styled(values, bands, formatters), hide_index=True, width="stretch",
                         column_config=config, height=height, key=f"ph_scorecard_{filters.place or 'all'}",
                         on_select="rerun", selection_mode="single-cell")
    for row, column in event.selection.cells:
        if column == level_name and card.codes[row] != filters.place:
            ui.drill(filters, card.level, card.codes[row])
    legend()
    block = ui.title_block(t("public_health.export_title"), filters)
    make = scorecard_xlsx(card, block)
    st.download_button(
        t("public_health.export_xlsx"), make, file_name=block.file_name("xlsx"), mime=exports.XLSX_MIME,
        key="dl_ph_scorecard", icon=":material/download:", on_click="ignore",
    )


def legend_items(lang: str | None = None) -> list[tuple[str, str]]:
    keys = (scorecard.FAR_BELOW, scorecard.BELOW, scorecard.MET, scorecard.NO_TARGET)
    return [(key, t(f"public_health.band.{key}", lang=lang)) for key in keys]


def legend() -> None:
    """The bands in words, each in its colour and with its mark (the same as the table's)."""
    chips = "".join(
        f'<span style="background:#{scorecard.FILLS[key]};color:#{scorecard.TEXT_COLOR};padding:2px 8px;'
        f'border-radius:4px;margin:2px 10px 2px 0;display:inline-block;font-size:0.85rem">'
        f'<b>{scorecard.MARKS[key] or "—"}</b> {html.escape(text)}</span>'
        for key, text in legend_items()
    )
    st.html(f'<div style="line-height:1.9"><span style="font-size:0.85rem;margin-right:8px">'
            f'{html.escape(t("public_health.legend_intro"))}</span>{chips}</div>')


def scorecard_xlsx(card: Scorecard, block: exports.TitleBlock) -> Callable[[], bytes]:
    """The scorecard as Excel, made when called: the title block, full headers with unit and target,
    numbers kept as numbers (percentages as 0.0%), a pass/fail word beside each judged value, cells filled
    with their band colours, and the legend on a second sheet. Everything in the session's language is
    read now, so the call needs no session (a download runs outside the page's run)."""
    lang = block.lang
    catalog = indicator_catalog()
    codes = CODES + CONTEXT
    headers = {"place_name": t(f"level.{card.level}", lang=lang), "shortfalls": t("public_health.shortfalls", lang=lang)}
    headers |= {code: long_header(catalog[code], lang) for code in codes}
    kinds = {headers[code]: exports.kind_of(catalog[code]) for code in codes} | {headers["shortfalls"]: exports.COUNT}
    short = {headers[code]: t(f"public_health.short.{code}", lang=lang) for code in codes}
    words = {key: t(f"public_health.band_word.{key}", lang=lang) for key in scorecard.JUDGED}
    values, bands = scorecard.with_words(
        card.values.rename(columns=headers), card.bands.rename(columns=headers), words,
        lambda header: t("public_health.status_of", lang=lang, indicator=short[header]),
    )
    legend, legend_title = legend_items(lang), t("public_health.legend_title", lang=lang)
    return lambda: scorecard.workbook(values, bands, kinds, legend, legend_title, block)


# ------------------------------------------------------------------------------------ one indicator


def trend_chart(filters: Filters, indicator: Indicator) -> ChartSpec | None:
    """This period (at least the last 12 months) against the same months a year earlier, target as a
    rule; None without data."""
    lang = current_lang()
    first = min(filters.month_from, add_months(filters.month_to, -11))
    params = filters.scope_params() | {"codes": [indicator.code], "month_from": add_months(first, -12),
                                       "month_to": filters.month_to}
    monthly = run_query("indicator_monthly", **params)
    if monthly.empty:
        return None
    # Series named by their months, so a 12-month window around a shorter period says what it shows.
    current = fmt_period(first, filters.month_to, lang=lang)
    last_year = t("public_health.series_last_year",
                  period=fmt_period(add_months(first, -12), add_months(filters.month_to, -12), lang=lang))
    rows = []
    for row in monthly.itertuples(index=False):
        month = as_date(row.month)
        value = ind.value(indicator, row.numerator, row.denominator)
        if value is None:
            continue
        series = current if month >= first else last_year
        shown = month if month >= first else add_months(month, 12)
        rows.append({"month": pd.Timestamp(shown), "value": value, "series": series,
                     "text": fmt_value(value, indicator.unit, lang=lang)})
    frame = pd.DataFrame(rows)
    if frame.empty or not (frame["series"] == current).any():
        return None
    # This period in the page's blue, last year in grey: pinned, so that alphabetical order of the
    # series names cannot swap them (orange means "below target" on this page). A rate moving from 64%
    # to 67% is a flat line on an axis from 0: a rate's axis fits the data (the target rule stays in view).
    return charts.monthly_lines(
        frame, x="month", y="value", series="series", text="text", target=indicator.target_value,
        axis_format=".0%" if indicator.is_percent else ",.0f", y_title=indicator.name(lang),
        dashed=[last_year], height=280, colors={current: charts.BLUE, last_year: charts.GRAY},
        zero=not indicator.is_percent,
    )


def with_target(caption: str, key: str, indicator: Indicator) -> str:
    """`caption` followed by the sentence that explains the target line, when the indicator has one."""
    if indicator.target is None:
        return caption
    return caption + t(key, target=target_text(indicator))


def _nice_step(span: float, bins: int = 20) -> float:
    if span <= 0:
        return 1.0
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


@cached_spec
def distribution_chart(towns: pd.DataFrame, indicator: Indicator) -> alt.LayerChart:
    """Towns as dots stacked in value bins (a dot plot: counts and every town's name on hover), coloured
    by band, with the target as a vertical rule."""
    lang = current_lang()
    frame = towns.dropna(subset=["value"]).sort_values("value").copy()
    values = frame["value"].astype(float)
    lo, hi = float(values.min()), float(values.max())
    if indicator.target_value is not None:
        lo, hi = min(lo, indicator.target_value), max(hi, indicator.target_value)
    step = _nice_step(hi - lo) if hi > lo else (0.01 if indicator.is_percent else 1.0)
    frame["bin"] = (values / step).apply(math.floor) * step + step / 2
    frame["stack"] = frame.groupby("bin").cumcount() + 1
    labels = {key: t(f"public_health.band_label.{key}") for key in BAND_COLORS}
    frame["status"] = frame["band"].map(labels)
    frame["text"] = [
        f"{fmt_value(v, indicator.unit, lang=lang)} {scorecard.MARKS[b]}".strip()
        for v, b in zip(frame["value"], frame["band"], strict=True)
    ]
    frame["where"] = frame["county_name"].fillna("")
    present = [key for key in BAND_COLORS if key in set(frame["band"])]
    axis_format = ".0%" if indicator.is_percent else ",.0f"
    top = int(frame["stack"].max())
    dots = alt.Chart(frame).mark_circle(size=110, opacity=0.95, stroke="white", strokeWidth=0.8).encode(
        x=alt.X("bin:Q", title=indicator.name(lang), axis=alt.Axis(format=axis_format),
                scale=alt.Scale(domain=[lo - step, hi + step], nice=False)),
        y=alt.Y("stack:Q", title=t("public_health.towns"), axis=alt.Axis(tickMinStep=1, format="d"),
                scale=alt.Scale(domain=[0, max(top + 1, 4)])),
        color=alt.Color("status:N", title=None, legend=alt.Legend(orient="top", columns=2, labelLimit=180),
                        scale=alt.Scale(domain=[labels[k] for k in present], range=[BAND_COLORS[k] for k in present])),
        tooltip=[alt.Tooltip("place_name:N", title=t("public_health.col_town")),
                 alt.Tooltip("where:N", title=t("public_health.col_county")),
                 alt.Tooltip("text:N", title=indicator.name(lang))],
    )
    layers: list[alt.Chart] = [dots]
    if indicator.target_value is not None:
        target = pd.DataFrame({"target": [indicator.target_value], "label": [target_text(indicator)]})
        layers.append(charts.target_rule(target))
        layers.append(alt.Chart(target).mark_text(align="left", dx=4, dy=-6, baseline="top", fontSize=12,
                                                  font=charts.FONT, color=charts.TARGET_INK)
                      .encode(x="target:Q", y=alt.value(0), text="label:N"))
    return alt.layer(*layers).properties(height=280)



def action_word(code: str) -> str:
    key = f"public_health.action.{code}"
    text = t(key)
    return t("public_health.action.other") if text == key else text


def _basis_note(indicator: Indicator) -> str:
    if indicator.aggregation == "ytd":
        return t("public_health.basis_ytd")
    if indicator.aggregation == "rolling_coverage":
        return t("public_health.basis_rolling", months=indicator.window_months)
    if indicator.at_period_end:
        return t("public_health.basis_stock")
    return t("public_health.basis_flow")


@dataclass(frozen=True)
class BelowTarget:
    """Towns short of a floor target: `table` (numbers, Chinese headers) and its band per row."""

    table: pd.DataFrame
    bands: list[str]
    people: int


def below_target(towns: pd.DataFrame, indicator: Indicator, level: str) -> BelowTarget:
    """The towns below target, largest number of people short first: where they are, value, target,
    gap in percentage points and in people."""
    short = towns[towns["band"].isin(scorecard.SHORT_OF_TARGET)].sort_values(
        ["people_gap", "gap"], ascending=[False, True]
    )
    action = action_word(indicator.code)
    columns: dict[str, object] = {}
    if level == "all":
        columns[t("public_health.col_city")] = short["city_name"]
    if level in ("all", "city"):
        columns[t("public_health.col_county")] = short["county_name"]
    columns[t("public_health.col_town")] = short["place_name"]
    columns[t("public_health.col_value")] = short["value"]
    columns[t("public_health.col_target")] = short["target"]
    columns[t("public_health.col_gap_pp")] = -short["gap"] * 100
    columns[t("public_health.col_gap_people", action=action)] = short["people_gap"].astype("Int64")
    table = pd.DataFrame(columns).reset_index(drop=True)
    return BelowTarget(table, list(short["band"]), int(short["people_gap"].fillna(0).sum()))


def show_below_target(towns: pd.DataFrame, indicator: Indicator, filters: Filters) -> None:
    lang = current_lang()
    name = indicator.name(lang)
    if indicator.target is None:
        st.info(t("public_health.below_no_target", indicator=inert(name)), icon=":material/info:")
        return
    result = below_target(towns, indicator, filters.level)
    if result.table.empty:
        st.success(t("public_health.below_none"), icon=":material/task_alt:")
        return
    action = action_word(indicator.code)
    st.markdown(t("public_health.below_summary", count=len(result.table), action=action,
                  people=fmt_count(result.people)))
    st.caption(t("public_health.below_caption", action=action, basis=_basis_note(indicator)))
    table = result.table
    value_col, target_col = t("public_health.col_value"), t("public_health.col_target")
    gap_col = t("public_health.col_gap_pp")
    people_col = t("public_health.col_gap_people", action=action)
    rate = (lambda v: fmt_value(v, "%", lang=lang)) if indicator.is_percent else fmt_count
    bands = pd.DataFrame({column: [None] * len(table) for column in table.columns})
    bands[value_col] = result.bands
    styler = scorecard.styled(table, bands, {
        value_col: lambda v: f"{rate(v)} {scorecard.MARKS[band_of(indicator, v)]}",
        target_col: rate,
        gap_col: lambda v: fmt_pp(v / 100, lang=lang),
        people_col: lambda v: "—" if pd.isna(v) else fmt_count(v),
    })
    st.dataframe(styler, hide_index=True, width="stretch", height="content" if len(table) <= 12 else 36 * 13,
                 key="ph_below")
    kind = exports.kind_of(indicator)
    status_col = t("export.status")
    export = table.assign(**{status_col: [t(f"public_health.band_word.{band}") for band in result.bands]})
    downloads.download_row(f"ph_below_{indicator.code}",
                         ui.title_block(t("public_health.below_export", indicator=name), filters), table=export,
                         kinds={value_col: kind, target_col: kind, gap_col: exports.PP if indicator.is_percent else kind,
                                people_col: exports.COUNT})


# ------------------------------------------------------------------------------------ by place charts


def _mark_text(indicator: Indicator, value: float) -> str:
    mark = scorecard.MARKS[band_of(indicator, value)]
    return f"{fmt_value(value, indicator.unit, lang=current_lang())} {mark}".strip()


@cached_spec
def paired_bars(standing: pd.DataFrame, codes: list[str], colors: list[str], order_by: str,
                axis_format: str = ".0%") -> alt.LayerChart | None:
    """Two (or more) indicators side by side for each place: one bar each, labelled with value and ✓/✗,
    each indicator's target as a dashed rule in its colour; places ordered by `order_by`."""
    lang = current_lang()
    catalog = indicator_catalog()
    frame = standing[standing["indicator_code"].isin(codes)].dropna(subset=["value"]).copy()
    if frame.empty:
        return None
    names = {code: catalog[code].name(lang) for code in codes}
    frame["series"] = frame["indicator_code"].map(names)
    frame["text"] = [_mark_text(catalog[c], v) for c, v in zip(frame["indicator_code"], frame["value"], strict=True)]
    ordered = (frame[frame["indicator_code"] == order_by].sort_values("value", ascending=False)["place_name"]
               .tolist())
    ordered += [p for p in dict.fromkeys(frame["place_name"]) if p not in ordered]
    domain = [names[c] for c in codes]
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=domain, range=colors),
                      sort=domain, legend=alt.Legend(orient="top", columns=1 if len(codes) > 1 else 0,
                                                     labelLimit=240))
    targets = [catalog[code].target_value for code in codes if catalog[code].target_value is not None]
    # Room to the right of the longest bar for its label.
    top = min(1.0, max([float(frame["value"].max()), *targets]) * 1.2) if axis_format.endswith("%") else (
        float(frame["value"].max()) * 1.2)
    base = alt.Chart(frame).encode(
        y=alt.Y("place_name:N", sort=ordered, title=None, axis=alt.Axis(labelLimit=160)),
        yOffset=alt.YOffset("series:N", sort=domain),
    )
    bars = base.mark_bar(height={"band": 0.85}, cornerRadiusEnd=2).encode(
        x=alt.X("value:Q", title=None, axis=alt.Axis(format=axis_format, tickCount=5),
                scale=alt.Scale(domain=[0, top], nice=False)),
        color=color,
        tooltip=[alt.Tooltip("place_name:N", title=" "), alt.Tooltip("series:N", title=" "),
                 alt.Tooltip("text:N", title=" ")],
        description=alt.Description("aria:N"),
    ).transform_calculate(aria=charts.spoken("place_name", "series", "text")).add_params(_PLACE_CLICK)
    labels = base.mark_text(align="left", dx=3, fontSize=11, font=charts.FONT, color="#333333").encode(
        x="value:Q", text="text:N"
    )
    layers: list[alt.Chart] = [bars, labels]
    for code, colour in zip(codes, colors, strict=True):
        target = catalog[code].target_value
        if target is not None:
            layers.append(charts.target_rule(target, color=colour))
    places = frame["place_name"].nunique()
    # The height includes the legend and the axis (Streamlit fits the chart into it).
    return alt.layer(*layers).properties(height=places * 17 * len(codes) + 100)


@cached_spec
def place_bars(standing: pd.DataFrame, code: str) -> alt.LayerChart | None:
    """One indicator across places, highest first, each bar in its band's colour and labelled with the
    value and ✓/✗; the target as a dashed rule. Counts without a target are plain blue bars."""
    lang = current_lang()
    indicator = indicator_catalog()[code]
    frame = standing[standing["indicator_code"] == code].dropna(subset=["value"]).copy()
    if frame.empty:
        return None
    frame["text"] = [_mark_text(indicator, v) for v in frame["value"]]
    labels = {key: t(f"public_health.band_label.{key}") for key in BAND_COLORS}
    frame["status"] = frame["band"].map(labels)
    present = [key for key in BAND_COLORS if key in set(frame["band"])]
    judged = indicator.target is not None
    color = (alt.Color("status:N", title=None, legend=alt.Legend(orient="top", columns=1),
                       scale=alt.Scale(domain=[labels[k] for k in present], range=[BAND_COLORS[k] for k in present]))
             if judged else alt.value(charts.BLUE))
    order = frame.sort_values("value", ascending=False)["place_name"].tolist()
    base = alt.Chart(frame).encode(y=alt.Y("place_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=140)))
    # Room to the right of the longest bar for its label; a rate's axis stops at 100%.
    top = max(float(frame["value"].max()), indicator.target_value or 0.0) * 1.25
    top = min(top, 1.0) if indicator.is_percent else top
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(
        x=alt.X("value:Q", title=None, scale=alt.Scale(domain=[0, top], nice=False),
                axis=alt.Axis(format=".0%" if indicator.is_percent else ",.0f", tickCount=4)),
        color=color,
        tooltip=[alt.Tooltip("place_name:N", title=" "), alt.Tooltip("text:N", title=indicator.name(lang))],
        description=alt.Description("aria:N"),
    ).transform_calculate(aria=charts.spoken("place_name", "text")).add_params(_PLACE_CLICK)
    text = base.mark_text(align="left", dx=3, fontSize=12, font=charts.FONT, color="#333333").encode(
        x="value:Q", text="text:N"
    )
    layers: list[alt.Chart] = [bars, text]
    if indicator.target_value is not None:
        layers.append(charts.target_rule(indicator.target_value))
    # The height includes the legend and the axis (Streamlit fits the chart into it).
    return alt.layer(*layers).properties(height=26 * len(frame) + (90 if judged else 50))


def show_chart(chart: ChartSpec | None) -> None:
    if chart is None:
        ui.empty_state("public_health.empty")
    else:
        presenter.altair_chart(chart)


def show_place_chart(chart: ChartSpec | None, filters: Filters, level: str, key: str) -> None:
    """A chart of `place_bars` or `paired_bars`: a click on a place's bar narrows the page to it."""
    if chart is None:
        ui.empty_state("public_health.empty")
        return
    # The place is part of the key: after a drill-down the next chart starts without a selection.
    event = presenter.altair_chart(chart, key=f"{key}_{filters.place or 'all'}", on_select="rerun")
    picked = ui.selected_values(event, _PLACE_CLICK.name, "place_code")
    if picked and picked[0] != filters.place:
        ui.drill(filters, level, picked[0])
