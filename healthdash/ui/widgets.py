"""Page furniture shared by every page: header with the active selection, demo label, KPI cards,
empty states."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import altair as alt
import pandas as pd
import streamlit as st

from healthdash.core import exports
from healthdash.core.applicability import Excluded, is_region_based
from healthdash.core.filters import Filters, default_filters
from healthdash.core.fmt import fmt_month, fmt_period, fmt_value, marked
from healthdash.core.i18n import current_lang, t
from healthdash.core.indicators import Indicator
from healthdash.core.markup import css_string, inert
from healthdash.core.wording import (
    delta_text,
    gap_text,
    status_labels,
    status_word,
    target_amount,
    target_text,
)
from healthdash.data.db import run_query
from healthdash.data.kpi import Kpi, by_place, child_level, indicator_catalog, targeted_by_level
from healthdash.domains.quality import data as quality
from healthdash.ui import account, charts, links, presenter
from healthdash.ui.chart_cache import ChartSpec
from healthdash.ui.downloads import download_row
from healthdash.ui.quality_badge import badge_text, quality_badge
from healthdash.ui.sidebar import click_key, filter_options, narrow_to

# Tighter top margin and larger metric figures: the page is read off a projector.
_STYLE = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 2rem;}
[data-testid="stMetricValue"] {font-size: 2.1rem;}
/* Ctrl+P: the page without the sidebar and the controls, at the paper's full width, no card or chart cut
   across two sheets, colours as on screen. */
@media print {
    @page {size: A4; margin: 16mm 12mm 14mm;}
    [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
    [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"], [data-testid="stStatusWidget"],
    [data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stFormSubmitButton"], [data-testid="stPopover"],
    [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stSlider"],
    [data-testid="stTextInput"], [data-testid="stTextArea"], [data-testid="stExpander"],
    [data-testid="stSegmentedControl"], [data-testid="stButtonGroup"], [data-testid="stRadio"], [data-testid="stToggle"], footer {
        display: none !important;
    }
    [data-testid="stMain"] {margin-left: 0 !important; width: 100% !important;}
    .block-container, [data-testid="stMainBlockContainer"] {max-width: 100% !important; padding: 0 !important;}
    [data-testid="stHorizontalBlock"] {flex-wrap: wrap !important;}
    [data-testid="stColumn"] {min-width: 30% !important;}
    [data-testid="stVegaLiteChart"], [data-testid="stMetric"], [data-testid="stDataFrame"],
    [data-testid="stVerticalBlockBorderWrapper"] {break-inside: avoid;}
    h1, h2, h3 {break-after: avoid;}
    [class*="st-key-hd-print-section"] {break-before: page;}
    * {-webkit-print-color-adjust: exact; print-color-adjust: exact;}
}
</style>
"""


def apply_style() -> None:
    st.html(_STYLE)


def dataset_kind() -> str:
    meta = run_query("dataset_meta")
    kinds = meta.loc[meta["key"] == "dataset_kind", "value"]
    return str(kinds.iloc[0]) if len(kinds) else "production"


def selection_parts(filters: Filters, lang: str | None = None) -> tuple[list[str], list[str]]:
    """The selection in words: the places (widest first, an alliance last) and what else narrows it
    (facility tiers). One description for the page header, the briefing and every exported file."""
    lang = lang or current_lang()
    options = filter_options()
    places = [options.cities[filters.city] if filters.city else t("filters.all_cities", lang=lang)]
    if filters.county:
        places.append(options.counties[filters.county][0])
    if filters.town:
        places.append(options.towns[filters.town][0])
    if filters.alliance:
        places.append(options.alliances[filters.alliance][0])
    scope = []
    if filters.tiers and len(filters.tiers) < 5:
        scope.append("、".join(t(f"tier.{tier}", lang=lang) for tier in filters.tiers))
    return places, scope


def selection_title(filters: Filters, lang: str | None = None) -> str:
    """The active filters as one line: place · alliance · period · comparison."""
    lang = lang or current_lang()
    places, scope = selection_parts(filters, lang)
    period = fmt_period(filters.month_from, filters.month_to, lang=lang)
    return " · ".join([*places, *scope, period, t(f"compare.{filters.compare}", lang=lang)])


def title_block(
    view: str, filters: Filters, lang: str | None = None, notes: tuple[str, ...] = ()
) -> exports.TitleBlock:
    """What an exported file of `view` says about itself: the selection, period, comparison, 数据截至 (the
    latest month with data) and whether the data are the simulated demo."""
    lang = lang or current_lang()
    places, scope = selection_parts(filters, lang)
    return exports.TitleBlock(
        view=view,
        places=tuple(places),
        scope=tuple(scope),
        period=fmt_period(filters.month_from, filters.month_to, lang=lang),
        comparison=t(f"compare.{filters.compare}", lang=lang),
        base_period=fmt_period(*filters.base_period(), lang=lang),
        as_of=fmt_month(filter_options().last_month, lang=lang),
        demo=dataset_kind() == "demo",
        lang=lang,
        notes=notes,
    )


def page_header(title: str, filters: Filters | None = None, trail: bool = True) -> None:
    """The title, the selection as a line and, when a place is selected and `trail` is on, the
    breadcrumb back up to every place. Both are plain text (a title may hold a facility's name)."""
    if presenter.active():
        demo = t("app.demo_badge") if dataset_kind() == "demo" else None
        badge = badge_text(filters if filters is not None else default_filters(filter_options()), short=True)
        line = " · ".join(part for part in (selection_title(filters) if filters is not None else None, badge) if part)
        presenter.header(title, line or None, demo)
        return
    print_head(title, selection_title(filters) if filters is not None else None)
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    left.title(inert(title), anchor=False)
    if filters is not None:
        left.caption(inert(selection_title(filters)))
        if trail:
            with left:
                breadcrumb(filters)
    with left:
        quality_badge(filters if filters is not None else default_filters(filter_options()))
    if dataset_kind() == "demo":
        right.badge(t("app.demo_badge"), icon=":material/science:", color="gray", help=t("app.demo_help"))


def print_head(title: str, selection: str | None) -> None:
    """The title block on every printed page (Ctrl+P): the page and its selection at the top, the dashboard's
    name and the page number at the foot, in the page's margin boxes, which the browser repeats per page."""
    head = css_string(" · ".join(part for part in (title, selection) if part))
    foot = css_string(t("app.title"))
    st.html(f"<style>@media print {{ @page {{ @top-left {{ content: {head}; font-size: 9pt; color: #31333F; }}"
            f" @bottom-left {{ content: {foot}; font-size: 8pt; color: #6B7280; }}"
            f' @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 8pt; color: #6B7280; }} }} }}'
            "</style>")


def above_reach() -> set[str]:
    """Levels of the breadcrumb the viewer's account cannot widen to: everything above its own city or
    county (the sidebar floors the selection there too)."""
    visible = account.viewer().visible
    if visible.everything:
        return set()
    city, county, alliance = visible.default_selection()
    if county:
        return {"all", "city"}
    return {"all"} if city or alliance else set()


def breadcrumb(filters: Filters) -> None:
    """全部地市 › 柳州市 › 鹿寨县 › 某镇: each place above the selected one narrows the page back up to it."""
    if filters.level == "all":
        return
    options = filter_options()
    trail: list[tuple[str, str | None, str]] = [("all", None, t("filters.all_cities"))]
    if filters.city:
        trail.append(("city", filters.city, options.cities[filters.city]))
    if filters.county:
        trail.append(("county", filters.county, options.counties[filters.county][0]))
    if filters.town:
        trail.append(("town", filters.town, options.towns[filters.town][0]))
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key="breadcrumb"):
        st.caption(t("filters.breadcrumb"), width="content")
        for level, code, name in trail[:-1]:
            if level in above_reach():  # a county's account sees 柳州市 › 鹿寨县, and 柳州市 is no link
                st.caption(inert(name), width="content")
            elif st.button(inert(name), key=f"crumb_{level}", type="tertiary",
                           help=t("filters.breadcrumb_help", place=inert(name))):
                narrow_to(level, code)
            st.caption("›", width="content")
        st.markdown(f"**{inert(trail[-1][2])}**", width="content")


# The most rows a grid lists: a province's ~40,000 facilities take seconds to draw on every rerun and are
# read from the download, which carries every row.
GRID_ROWS = 500


def busiest_rows(frame: pd.DataFrame, weight: pd.Series, limit: int | None = None) -> pd.DataFrame:
    """`frame` itself when it has at most `limit` rows (GRID_ROWS), else its `limit` rows of largest `weight`
    (ties in the frame's order), largest first: what a grid shows of a list too long to read on screen."""
    limit = GRID_ROWS if limit is None else limit
    if len(frame) <= limit:
        return frame
    order = pd.DataFrame({"weight": weight.to_numpy(), "position": range(len(frame))}, index=frame.index)
    kept = order.sort_values(["weight", "position"], ascending=[False, True]).head(limit).index
    return frame.loc[kept]


def empty_state(message_key: str = "overview.empty") -> None:
    st.info(t(message_key), icon=":material/info:")


def kpi_help(kpi: Kpi) -> str:
    indicator = kpi.indicator
    lang = current_lang()
    lines = [t("kpi.definition", definition=inert(indicator.definition(lang)))]
    if indicator.proposed:
        lines.append(t("kpi.proposed"))
    lines.append(target_text(indicator))
    if indicator.target_source:
        key = "kpi.source" if indicator.target is not None else "kpi.reference"
        lines[-1] += f"；{t(key, source=inert(indicator.target_source))}"
    return "\n\n".join(lines)


def _delta_text(kpi: Kpi, compare: str) -> str | None:
    """'同比 +3.0%' on a card; '上年同期为0' alone when a count grew from nothing."""
    amount = delta_text(kpi.indicator, kpi.value, kpi.base, compare, current_lang())
    if amount is None or kpi.delta is None:
        return amount
    return t("kpi.change", compare=t(f"compare.{compare}"), delta=amount)


def base_text(kpi: Kpi, filters: Filters) -> str | None:
    """'对比期 2017年：94.1%': the comparison period's own value, shown beside the change."""
    if kpi.base is None:
        return None
    lang = current_lang()
    period = fmt_period(*filters.base_period(), lang=lang)
    return t("kpi.base_value", period=period, value=fmt_value(kpi.base, kpi.indicator.unit, lang=lang))


def not_applicable_note(excluded: list[Excluded]) -> None:
    """One line naming the indicators a selection leaves out, grouped by why (nothing when none)."""
    if not excluded:
        return
    lang = current_lang()
    by_reason: dict[str, list[str]] = {}
    for item in excluded:
        by_reason.setdefault(item.reason, []).append(inert(item.indicator.name(lang)))
    separator = "、" if lang == "zh" else ", "
    items = [t("applies.item", names=separator.join(names), why=t(reason)) for reason, names in by_reason.items()]
    st.caption(t("applies.line", items=("；" if lang == "zh" else "; ").join(items)))


def home_region_note(filters: Filters, indicator: Indicator) -> str | None:
    """With an alliance selected, the line that says a resident- or town-based figure is its home region's."""
    if not filters.alliance or not is_region_based(indicator):
        return None
    options = filter_options()
    _, home = options.alliances.get(filters.alliance, (None, None))
    if home is None:
        return None
    place = options.cities.get(home) or options.counties.get(home, ("—", None))[0]
    return t("applies.home_region", place=inert(place))


def kpi_card(
    kpi: Kpi, filters: Filters, note: str | None = None, drill: Callable[[str], None] | None = None
) -> None:
    """One indicator: value, change coloured by whether it is better and the comparison period's value,
    target and pass/fail, sparkline; `note` (e.g. the people behind a rate) as a small line at the foot;
    with `drill`, a link to the places one level down, ranked by this indicator (`drill(code)`)."""
    lang = current_lang()
    indicator = kpi.indicator
    color = "gray" if kpi.improved is None else ("blue" if kpi.improved else "orange")
    delta = _delta_text(kpi, filters.compare)
    spark = [v for v in kpi.spark if v is not None]
    gap = quality.report_gap(filters, indicator) if kpi.value is not None else None
    shown = fmt_value(kpi.value, indicator.unit, lang=lang) if kpi.value is not None else t("kpi.no_data")
    with st.container(border=True):
        st.metric(
            inert(indicator.name(lang)),
            f"{shown}{t('quality.gap.mark')}" if gap else shown,
            delta=delta,
            delta_color=color,
            delta_arrow="off" if not kpi.delta else ("up" if kpi.delta > 0 else "down"),
            help=kpi_help(kpi),
            chart_data=spark if len(spark) > 1 else None,
            chart_type="line",
        )
        base = base_text(kpi, filters)
        if base:
            st.caption(base)
        if kpi.meets is None:
            st.caption(target_text(indicator))
        else:
            badge = (f":blue-badge[:material/check: {t('kpi.met')}]" if kpi.meets
                     else f":orange-badge[:material/close: {t('kpi.not_met')}]")
            st.markdown(f"{badge} {target_text(indicator)}")
        region = home_region_note(filters, indicator)
        # On a slide the ＊ stays and the title line's 数据截至 · 上报率 says what is missing: the card keeps its height.
        gap_line = quality.gap_text(gap) if gap and not presenter.slideshow_running() else None
        for line in (note, region, gap_line):
            if line:
                st.caption(line)
        level = child_level(filters, indicator) if drill is not None else None
        if drill is not None and level is not None:
            st.button(t("kpi.drill", level=t(f"level.{level}")), key=f"kpi_drill_{indicator.code}", type="tertiary",
                      icon=":material/arrow_downward:", on_click=drill, args=(indicator.code,))


SLIDE_CARDS_PER_ROW = 5


def kpi_grid(
    kpis: list[Kpi], filters: Filters, per_row: int = 3, drill: Callable[[str], None] | None = None
) -> None:
    if presenter.slideshow_running():  # a slide holds every card: five across, not three
        per_row = max(per_row, SLIDE_CARDS_PER_ROW)
    for start in range(0, len(kpis), per_row):
        columns = st.columns(per_row)
        for column, kpi in zip(columns, kpis[start:start + per_row], strict=False):
            with column:
                kpi_card(kpi, filters, drill=drill)


RANKING_SELECTION = "place"


class RankingFigure(NamedTuple):
    chart: ChartSpec
    table: pd.DataFrame  # for downloads: place, value, target (numbers) and status (words)
    kinds: dict[str, str]  # the kind of number in each column of `table` (exports.Kinds)


def ranking_table(
    ranked: pd.DataFrame, indicator: Indicator, level: str, lang: str | None = None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Places ranked by `indicator` as a table to download: name, value and target as numbers, pass or
    fail as a word; and the kind of each number column."""
    lang = lang or current_lang()
    kind = exports.kind_of(indicator)
    value, target = indicator.name(lang), exports.target_header(indicator, lang)
    table = pd.DataFrame({
        t(f"level.{level}", lang=lang): ranked["place_name"].astype(str).to_numpy(),
        value: ranked["value"].astype(float).to_numpy(),
        target: [indicator.target_value] * len(ranked),
        t("export.status", lang=lang): [status_word(meets, lang) for meets in ranked["meets"]],
    })
    return table, {value: kind, target: kind}


def ranking_figure(
    filters: Filters, indicator: Indicator, selectable: bool = False, limit: int | None = None
) -> RankingFigure | None:
    """The ranking chart of places one level down and its data (for downloads); None when there is
    nothing to rank. `selectable` lets a click select a place (its code, as
    `place_code`, in the selection named RANKING_SELECTION); `limit` keeps the chart to that many places
    with the highest values (the table keeps them all)."""
    lang = current_lang()
    level = child_level(filters, indicator)
    if level is None:
        return None
    frame = by_place(filters, [indicator.code], level).dropna(subset=["value"])
    if frame.empty:
        return None
    frame = frame.assign(
        status=[status_word(m) for m in frame["meets"]],
        text=[
            marked(fmt_value(v, indicator.unit, lang=lang), m)
            for v, m in zip(frame["value"], frame["meets"], strict=True)
        ],
    )
    shown = frame if limit is None else frame.sort_values(["value", "place_code"], ascending=[False, True]).head(limit)
    chart = charts.ranking_bar(
        shown,
        label="place_name",
        value="value",
        text="text",
        status="status",
        status_labels=status_labels(),
        target=indicator.target_value,
        axis_format=".0%" if indicator.is_percent else ",.2~f",
        value_title=indicator.name(lang),
        selection=alt.selection_point(name=RANKING_SELECTION, fields=["place_code"]) if selectable else None,
    )
    ranked = frame.sort_values("value", ascending=indicator.direction == "down")
    return RankingFigure(chart, *ranking_table(ranked, indicator, level, lang))


def rankable(filters: Filters, codes: list[str]) -> list[str]:
    """The indicators of `codes` that have places one level below the selection to rank."""
    catalog = indicator_catalog()
    return [code for code in codes if child_level(filters, catalog[code]) is not None]


def drill(filters: Filters, level: str, code: str, on_facility: Callable[[str], None] | None = None) -> None:
    """Go one level down to a place or facility clicked: a city, county or town narrows the selection
    (sidebar, URL and every view follow), a facility opens its profile (or `on_facility`)."""
    if level == "facility":
        if on_facility is not None:
            on_facility(code)
        else:
            links.open_url(links.facility_profile_url(code, filters))
    elif code != filters.place:
        narrow_to(level, code)


def ranking_chart(
    filters: Filters, indicator: Indicator, downloads: bool = False, limit: int | None = None,
    on_facility: Callable[[str], None] | None = None, key: str = "",
) -> None:
    """Places one level below the selection ranked by `indicator`, target as a dashed rule. A click on a
    bar drills down to that place (`drill`). `limit` draws only that many places with the highest
    values, and says so; `key` tells apart states of the page that should each start unselected."""
    name = indicator.name(current_lang())
    level = child_level(filters, indicator)
    if level is None:
        st.info(t("overview.ranking_none", indicator=inert(name), level=t(f"level.{indicator.level}")))
        return
    figure = ranking_figure(filters, indicator, selectable=True, limit=limit)
    if figure is None:
        empty_state()
        return
    chart, table, kinds = figure
    caption = t("overview.ranking_caption", level=t(f"level.{level}"), indicator=inert(name))
    if limit is not None and len(table) > limit:
        caption += t("overview.ranking_limited", shown=limit, total=len(table))
    st.caption(caption + t("overview.ranking_click"))
    # The period is part of the key too: another period starts the chart without a selection.
    event = presenter.altair_chart(
        chart, key=click_key(filters, "rank", indicator.code, filters.month_from, filters.month_to, key),
        on_select="rerun",
    )
    if downloads:
        download_row(f"rank_{indicator.code}", title_block(t("export.ranking_title", indicator=name), filters),
                             chart=chart, table=table, kinds=kinds)
    picked = selected_values(event, RANKING_SELECTION, "place_code")
    if picked:
        drill(filters, level, picked[0], on_facility)


def selected_values(event: object, selection: str, field: str) -> list[str]:
    """Values of `field` in the points selected in a chart's `selection` (from st.altair_chart's event)."""
    try:
        points = event.selection[selection]  # type: ignore[attr-defined]
    except (AttributeError, KeyError, TypeError):
        return []
    if isinstance(points, dict):
        points = [points]
    return [str(point[field]) for point in points or [] if isinstance(point, dict) and point.get(field)]


def _below_target(filters: Filters, codes: list[str], limit: int) -> pd.DataFrame:
    """Rows of `by_place` (with `level`) for the indicators of `codes` below target in the places one
    level down, largest relative gap first; empty when everything with a target is met."""
    by_level = targeted_by_level(filters, codes)
    frames = [by_place(filters, level_codes, level).assign(level=level) for level, level_codes in by_level.items()]
    frames = [frame for frame in frames if not frame.empty]
    below = pd.concat(frames) if frames else pd.DataFrame()
    if not below.empty:
        below = below[below["meets"].eq(False)]
    if below.empty:
        return pd.DataFrame()
    return below.assign(relative=(below["gap"] / below["target"]).abs()).sort_values(
        "relative", ascending=False
    ).head(limit)


def attention_frame(filters: Filters, codes: list[str], limit: int = 15, linked: bool = False) -> pd.DataFrame:
    """Indicators below target in the places one level down, largest relative gap first, with Chinese
    headers (empty when everything with a target is met). `linked`: the place column holds links to the
    place's profile (links.place_url), for display with links.link_column."""
    lang = current_lang()
    catalog = indicator_catalog()
    options = filter_options()
    below = _below_target(filters, codes, limit)
    rows = []
    for row in below.itertuples(index=False):
        indicator = catalog[row.indicator_code]
        place = links.labelled(links.place_url(row.level, row.place_code, filters, options), row.place_name)
        rows.append({
            t("overview.col_place"): place if linked else row.place_name,
            t("overview.col_indicator"): indicator.name(lang),
            t("overview.col_value"): fmt_value(row.value, indicator.unit, lang=lang, compact=False),
            t("overview.col_target"): target_amount(indicator, lang),
            t("overview.col_gap"): gap_text(indicator, row.gap, lang, compact=False),
        })
    return pd.DataFrame(rows)


def attention_export(filters: Filters, codes: list[str], limit: int = 15) -> tuple[pd.DataFrame, exports.Kinds]:
    """The attention table to download: numbers as numbers (the gap of a rate in percentage points), a
    unit column since rows mix indicators, and the kind of every cell."""
    lang = current_lang()
    catalog = indicator_catalog()
    below = _below_target(filters, codes, limit)
    indicators = [catalog[code] for code in below.get("indicator_code", [])]
    kinds = [exports.kind_of(indicator) for indicator in indicators]
    value, target, gap = t("overview.col_value"), t("overview.col_target"), t("overview.col_gap")
    table = pd.DataFrame({
        t("overview.col_place"): [str(name) for name in below.get("place_name", [])],
        t("overview.col_indicator"): [indicator.name(lang) for indicator in indicators],
        t("export.col_unit"): [exports.unit_label(indicator, lang) for indicator in indicators],
        value: [float(v) for v in below.get("value", [])],
        target: [float(v) for v in below.get("target", [])],
        gap: [abs(float(g)) * (100 if indicator.is_percent else 1)
              for g, indicator in zip(below.get("gap", []), indicators, strict=True)],
    })
    gap_kinds = [exports.PP if indicator.is_percent else kind for indicator, kind in zip(indicators, kinds, strict=True)]
    return table, {value: kinds, target: kinds, gap: gap_kinds}


def attention_comparable(filters: Filters, codes: list[str]) -> bool:
    """Whether any indicator with a target has places one level down to compare (else an empty attention
    list says nothing about targets being met)."""
    catalog = indicator_catalog()
    return any(catalog[code].target is not None and child_level(filters, catalog[code]) for code in codes)


def attention_table(filters: Filters, codes: list[str], limit: int = 15, downloads: bool = False) -> None:
    """Indicators below target in the places one level down, largest relative gap first."""
    table = attention_frame(filters, codes, limit, linked=True)
    if table.empty:
        if attention_comparable(filters, codes):
            st.success(t("overview.attention_none"), icon=":material/task_alt:")
        else:
            st.info(t("overview.attention_no_children"), icon=":material/info:")
        return
    st.caption(t("overview.attention_caption"))
    place = t("overview.col_place")
    links.table(table, "attention", hide_index=True, width="stretch",
                column_config={place: links.link_column(place, help=t("links.place_help"))})
    if downloads:
        plain, kinds = attention_export(filters, codes, limit)
        download_row("attention", title_block(t("overview.attention"), filters), table=plain, kinds=kinds)


def recorder(label: str, key: str) -> str:
    """Who records a judgement, a follow-up mark, an exception or a load: the signed-in account's name, shown
    and not editable (the audit log names the account), or with sign-in off the name typed under `label`,
    else 数据管理页面. One widget, so that every form asks the same way."""
    name = account.viewer().name
    if name is not None:
        # The name in the key: a field kept from another account's session is never shown.
        st.text_input(label, value=name, disabled=True, key=f"{key}__{name}")
        return name
    typed = st.text_input(label, key=key, max_chars=40, placeholder=t("data.operator_placeholder"))
    return typed.strip() or t("data.operator_default")
