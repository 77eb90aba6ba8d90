"""公共卫生 Public health page sections: headline figures, a scorecard of places × indicators, one indicator in
depth (trend, distribution of towns, towns below target with the people short), key groups beside overall
contract coverage, immunisation and screening by place. `sections(filters)` returns them in screen order."""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd
import streamlit as st

from healthdash.access.audit import Action
from healthdash.access.roles import Permission
from healthdash.core import exports
from healthdash.core.filters import Filters
from healthdash.core.fmt import fmt_count, fmt_period, fmt_pp, fmt_value
from healthdash.core.i18n import current_lang, t, t_each
from healthdash.core.indicators import Indicator
from healthdash.core.markup import inert
from healthdash.core.wording import status_label, target_text
from healthdash.data.columns import SERIOUS_ILLNESSES
from healthdash.data.kpi import Kpi, headline, indicator_catalog
from healthdash.domains.public_health import charts as ph_charts
from healthdash.domains.public_health import data as ph
from healthdash.domains.public_health import scorecard
from healthdash.ui import account, downloads, maps, presenter, urlstate, widgets
from healthdash.ui.chart_cache import ChartSpec
from healthdash.ui.charts import BLUE
from healthdash.ui.layout import Section
from healthdash.ui.sidebar import click_key


def detail(filters: Filters, towns: pd.DataFrame) -> None:
    lang, catalog = current_lang(), indicator_catalog()
    urlstate.choice(ph.PICK_KEY, ph.CODES, ph.CODES[0])
    st.selectbox(t("public_health.pick"), ph.CODES, key=ph.PICK_KEY,
                 format_func=lambda code: catalog[code].name(lang))
    urlstate.write_choice(ph.PICK_KEY, ph.CODES[0])
    indicator = catalog[st.session_state[ph.PICK_KEY]]
    chosen_towns = towns[towns["indicator_code"] == indicator.code]

    trend, spread = st.columns(2, gap="large")
    with trend:
        st.markdown(f"**{t('public_health.trend')}**")
        st.caption(ph.with_target(t("public_health.trend_caption"), "public_health.trend_target", indicator))
        show_chart(ph_charts.trend_chart(ph.trend(filters, indicator), indicator))
    with spread:
        st.markdown(f"**{t('public_health.distribution')}**")
        if chosen_towns["value"].notna().sum() > 1:
            count = int(chosen_towns["value"].notna().sum())
            caption = ("public_health.distribution_counts_caption" if ph_charts.draws_counts(chosen_towns, indicator)
                       else "public_health.distribution_caption")
            st.caption(ph.with_target(t(caption, count=fmt_count(count)),
                                      "public_health.distribution_target", indicator))
            show_chart(ph_charts.distribution_chart(chosen_towns, indicator))
        else:
            st.info(t("public_health.distribution_single"), icon=":material/info:")


def below(filters: Filters, towns: pd.DataFrame) -> None:
    """The towns below target by the indicator picked above (a slide of its own: with the two charts it did
    not fit 1280×720)."""
    if ph.PICK_KEY not in st.session_state:  # a slide shown alone: the pick comes from the URL
        urlstate.choice(ph.PICK_KEY, ph.CODES, ph.CODES[0])
    indicator = indicator_catalog()[st.session_state[ph.PICK_KEY]]
    st.markdown(f"**{t('public_health.below')}**")
    show_below_target(towns[towns["indicator_code"] == indicator.code], indicator, filters)


def key_groups(filters: Filters, standing: pd.DataFrame, level: str) -> None:
    st.caption(t("public_health.key_groups_caption", level=t(f"level.{level}")))
    show_place_chart(ph_charts.paired_bars(standing, ["fd_coverage", "fd_key_pop_coverage"],
                                       [BLUE, ph_charts.KEY_GROUP_COLOR], order_by="fd_coverage"),
                        filters, level, "ph_key_groups")


def screening(filters: Filters, standing: pd.DataFrame, level: str) -> None:
    st.caption(t("public_health.screening_caption", level=t(f"level.{level}")))
    immunisation, cancer, hpv = st.columns(3, gap="medium")
    with immunisation:
        st.markdown(f"**{t('public_health.immunization_title')}**")
        show_place_chart(ph_charts.place_bars(standing, "child_immunization_rate"), filters, level, "ph_immunisation")
    with cancer:
        st.markdown(f"**{t('public_health.screening_title')}**")
        show_place_chart(ph_charts.paired_bars(standing, ["cervical_screening_rate", "breast_screening_rate"],
                                           [BLUE, ph_charts.KEY_GROUP_COLOR], order_by="cervical_screening_rate"),
                            filters, level, "ph_screening")
    with hpv:
        st.markdown(f"**{t('public_health.hpv_title')}**")
        show_place_chart(ph_charts.place_bars(standing, "hpv_first_doses"), filters, level, "ph_hpv")


def sections(filters: Filters) -> list[Section]:
    """The page's sections in screen order; with no headline figure at all the empty state and the run stops."""
    kpis = headline(filters, ph.HEADLINE)
    if all(kpi.value is None for kpi in kpis):
        widgets.empty_state("public_health.empty")
        st.stop()
    level = ph.place_level(filters)
    standing = ph.standings(filters, level)
    towns = standing if level == "town" else ph.standings(filters, "town")
    mapped = widgets.rankable(filters, [kpi.indicator.code for kpi in kpis if kpi.indicator.target is not None])
    return [
        # Two slides: fourteen cards on one do not fit 1280×720.
        Section(t("public_health.judged"), lambda: headline_grid(kpis, ph.headline_notes(filters), filters, True),
                heading=False),
        Section(t("public_health.monitored"), lambda: headline_grid(kpis, ph.headline_notes(filters), filters, False),
                heading=False),
        Section(t("public_health.scorecard"), lambda: show_scorecard(ph.build_scorecard(standing, level), filters)),
        *([Section(t("maps.title"), lambda: maps.indicator_map(filters, mapped, key="ph_map"))] if mapped else []),
        Section(t("public_health.detail"), lambda: detail(filters, towns)),
        Section(t("public_health.below"), lambda: below(filters, towns), heading=False),
        Section(t("public_health.key_groups"), lambda: key_groups(filters, standing, level)),
        Section(t("public_health.screening"), lambda: screening(filters, standing, level)),
        Section(t("poverty.title"), lambda: poverty(filters, level)),
        # The place table and the disease groups are slides of their own: with the verdicts they did not fit.
        Section(t("poverty.by_place"), lambda: poverty_places(filters, level), heading=False),
        Section(t("poverty.illness_title"), lambda: illness_table(filters), heading=False),
    ]


def poverty(filters: Filters, level: str) -> None:
    """防止因病返贫: the selection's figures against their targets in words, the same place by place, the
    period's exits and clinics brought to standard, and 大病专项救治 by disease group."""
    lang, catalog = current_lang(), indicator_catalog()
    kpis = {kpi.indicator.code: kpi for kpi in headline(filters, ph.POVERTY + ph.POVERTY_FLOWS)}
    if all(kpi.value is None for kpi in kpis.values()):
        st.info(t("poverty.empty"), icon=":material/info:")
        return
    period = fmt_period(filters.month_from, filters.month_to, lang=lang)
    st.caption(t("poverty.caption", period=period))
    st.markdown("\n".join("- " + t("poverty.line", name=inert(catalog[code].name(lang)),
                                     verdict=ph.verdict(catalog[code], kpis[code].value, lang))
                          for code in ph.POVERTY))
    flows = {code: kpis[code].value or 0 for code in ph.POVERTY_FLOWS}
    told = []
    if flows["poverty_exit_people"]:
        told.append(t("poverty.flows_exits", people=fmt_count(flows["poverty_exit_people"]),
                      households=fmt_count(flows["poverty_exit_households"])))
    if flows["village_clinics_to_standard"] > 0:
        told.append(t("poverty.flows_clinics", clinics=fmt_count(flows["village_clinics_to_standard"])))
    if told:
        st.markdown(t("poverty.flows", period=period, items=t("summary.clause_sep").join(told)))


def poverty_places(filters: Filters, level: str) -> None:
    """Each place's figures with the verdict in words (✓ 达标 / ✗ 未达标), and per judged indicator the
    places short of the target."""
    lang, catalog = current_lang(), indicator_catalog()
    frame = ph.poverty_by_place(filters, level)
    if frame.empty:
        return
    places = frame.drop_duplicates("place_code").sort_values("place_code")
    level_name = t(f"level.{level}")
    table = pd.DataFrame({level_name: places["place_name"].to_numpy()})
    short = []
    for code in ph.POVERTY:
        indicator = catalog[code]
        rows = frame[frame["indicator_code"] == code].set_index("place_code")
        cells = []
        for place in places["place_code"]:
            value = rows.loc[place, "value"] if place in rows.index else None
            shown = fmt_value(value, indicator.unit, lang=lang, compact=False)
            cells.append(shown if indicator.target is None or value is None
                         else f"{shown} {status_label(rows.loc[place, 'meets'], lang)}")
        table[ph.short_name(code)] = cells
        missed = rows[rows["meets"].eq(False)]
        if indicator.target is not None and len(missed):
            short.append(t("poverty.places_short", indicator=inert(indicator.name(lang)), count=len(missed),
                           total=len(rows), target=target_text(indicator, lang),
                           names=t("summary.list_sep").join(inert(str(n)) for n in missed["place_name"])))
    st.markdown(f"**{t('poverty.by_place')}**")
    st.dataframe(table, hide_index=True, width="stretch",
                 height="content" if len(table) <= 20 else 36 * 21)
    downloads.download_row("ph_poverty", widgets.title_block(t("poverty.title"), filters), table=table)
    if short:
        st.markdown("\n".join(f"- {line}" for line in short))
    else:
        st.success(t("poverty.places_all_met"), icon=":material/task_alt:")


def illness_table(filters: Filters) -> None:
    """大病专项救治 by disease group at the period's end: cases, treated, the share treated, and the groups
    added in 2018."""
    lang = current_lang()
    illnesses = ph.serious_illness(filters)
    if not illnesses:
        return
    names = {code: (zh if lang == "zh" else en) for code, zh, en in SERIOUS_ILLNESSES}
    table = pd.DataFrame({
        t("poverty.col_disease"): [names[row.code] for row in illnesses],
        t("poverty.col_cases"): [fmt_count(row.cases) for row in illnesses],
        t("poverty.col_treated"): [fmt_count(row.treated) for row in illnesses],
        t("poverty.col_rate"): [fmt_value(row.treated / row.cases if row.cases else None, "%", lang=lang)
                                for row in illnesses],
        t("poverty.col_since"): [t("poverty.added_2018") if row.added_2018 else "" for row in illnesses],
    })
    st.markdown(f"**{t('poverty.illness_title')}**")
    st.caption(t("poverty.illness_caption"))
    st.dataframe(table, hide_index=True, width="stretch", height="content")


# Metric labels may wrap onto a second line instead of being cut off ("居民健康档案建…"); the style
# lives in this page's elements, so it goes when the page does.
_WRAP_LABELS = '<style>[data-testid="stMetricLabel"] p {white-space: normal; overflow: visible;}</style>'


def headline_grid(kpis: list[Kpi], notes: dict[str, str], filters: Filters, judged: bool) -> None:
    """With `judged`, the indicators with a target as full cards three to a row; else those monitored only, as
    compact cards (no sparkline) four to a row. Each card carries the people behind its figure."""
    st.html(_WRAP_LABELS)
    if judged:
        title, group, per_row = t("public_health.judged"), [k for k in kpis if k.indicator.target is not None], 3
    else:
        title, group, per_row = (t("public_health.monitored"),
                                 [replace(k, spark=[]) for k in kpis if k.indicator.target is None], 4)
    if not group:
        return
    st.markdown(f"**{title}**")
    for start in range(0, len(group), per_row):
        columns = st.columns(per_row)
        for column, kpi in zip(columns, group[start:start + per_row], strict=False):
            with column:
                widgets.kpi_card(kpi, filters, notes.get(kpi.indicator.code))


def show_scorecard(card: ph.Scorecard, filters: Filters) -> None:
    """The indicators with a target, judged, in one table that fits a 1280-wide screen; those only monitored in
    a second (left out of a slide); all of them in the Excel file."""
    lang = current_lang()
    catalog = indicator_catalog()
    codes = ph.CODES + ph.CONTEXT
    judged = [code for code in codes if catalog[code].target is not None]
    monitored = [code for code in codes if code not in judged]
    level_name = t(f"level.{card.level}")
    st.caption(t("public_health.scorecard_caption", level=level_name,
                 period=fmt_period(filters.month_from, filters.month_to, lang=lang)))
    if filters.level == "town":
        st.caption(t("public_health.scorecard_town_note"))
    headers = {"place_name": level_name, "shortfalls": t("public_health.shortfalls")}
    headers |= {code: ph.short_name(code) for code in codes}
    values = card.values.rename(columns=headers)
    bands = card.bands.rename(columns=headers)
    formatters = {headers[code]: ph.cell_text(catalog[code], lang) for code in codes}
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
    first = [level_name, headers["shortfalls"], *(headers[code] for code in judged)]
    event = st.dataframe(scorecard.styled(values[first], bands[first], formatters), hide_index=True,
                         width="stretch", column_config=config, height=height,
                         key=click_key(filters, "ph_scorecard"), on_select="rerun",
                         selection_mode="single-cell")
    for row, column in event.selection.cells:
        if column == level_name and card.codes[row] != filters.place:
            widgets.drill(filters, card.level, card.codes[row])
    legend()
    if monitored and not presenter.slideshow_running():
        second = [level_name, *(headers[code] for code in monitored)]
        st.markdown(f"**{t('public_health.monitored')}**")
        st.dataframe(scorecard.styled(values[second], bands[second], formatters), hide_index=True, width="stretch",
                     column_config=config, height=height, key=f"ph_monitored_{filters.place or 'all'}")
    if not account.viewer().may(Permission.EXPORT):
        return
    block = widgets.title_block(t("public_health.export_title"), filters)
    name = block.file_name("xlsx")
    make = account.audited(ph.scorecard_xlsx(card, block), Action.EXPORT, account.file_detail(block, name))
    st.download_button(
        t("public_health.export_xlsx"), make, file_name=name, mime=exports.XLSX_MIME,
        key="dl_ph_scorecard", icon=":material/download:", on_click="ignore",
    )


def legend() -> None:
    """The bands in words, each in its colour and with its mark (the same as the table's)."""
    chips = "".join(
        f'<span style="background:#{scorecard.FILLS[key]};color:#{scorecard.TEXT_COLOR};padding:2px 8px;'
        f'border-radius:4px;margin:2px 10px 2px 0;display:inline-block;font-size:0.85rem">'
        f'<b>{scorecard.MARKS[key] or "—"}</b> {html.escape(text)}</span>'
        for key, text in ph.legend_items()
    )
    st.html(f'<div style="line-height:1.9"><span style="font-size:0.85rem;margin-right:8px">'
            f'{html.escape(t("public_health.legend_intro"))}</span>{chips}</div>')


def show_below_target(towns: pd.DataFrame, indicator: Indicator, filters: Filters) -> None:
    lang = current_lang()
    name = indicator.name(lang)
    if indicator.target is None:
        st.info(t("public_health.below_no_target", indicator=inert(name)), icon=":material/info:")
        return
    result = ph.below_target(towns, indicator, filters.level)
    if result.table.empty:
        st.success(t("public_health.below_none"), icon=":material/task_alt:")
        return
    action = ph.action_word(indicator.code)
    st.markdown(t("public_health.below_summary", count=fmt_count(len(result.table)), action=action,
                  people=fmt_count(result.people)))
    st.caption(t("public_health.below_caption", action=action, basis=ph.basis_note(indicator)))
    # largest gap first already: a province's thousands of towns are read from the download
    table = result.table.head(widgets.GRID_ROWS)
    if len(table) < len(result.table):
        st.caption(t("public_health.below_top", shown=fmt_count(len(table), lang=lang)))
    value_col, target_col = t("public_health.col_value"), t("public_health.col_target")
    gap_col = t("public_health.col_gap_pp")
    people_col = t("public_health.col_gap_people", action=action)
    rate = (lambda v: fmt_value(v, "%", lang=lang)) if indicator.is_percent else fmt_count
    bands = pd.DataFrame({column: [None] * len(table) for column in table.columns})
    bands[value_col] = result.bands[:len(table)]
    styler = scorecard.styled(table, bands, {
        value_col: lambda v: f"{rate(v)} {scorecard.MARKS[ph.band_of(indicator, v)]}",
        target_col: rate,
        gap_col: lambda v: fmt_pp(v / 100, lang=lang),
        people_col: lambda v: "—" if pd.isna(v) else fmt_count(v),
    })
    st.dataframe(styler, hide_index=True, width="stretch", height="content" if len(table) <= 12 else 36 * 13,
                 key="ph_below")
    kind = exports.kind_of(indicator)
    status_col = t("export.status")
    export = result.table.assign(**{status_col: t_each("public_health.band_word", result.bands)})
    downloads.download_row(f"ph_below_{indicator.code}",
                         widgets.title_block(t("public_health.below_export", indicator=name), filters), table=export,
                         kinds={value_col: kind, target_col: kind, gap_col: exports.PP if indicator.is_percent else kind,
                                people_col: exports.COUNT})


def show_chart(chart: ChartSpec | None) -> None:
    if chart is None:
        widgets.empty_state("public_health.empty")
    else:
        presenter.altair_chart(chart)


def show_place_chart(chart: ChartSpec | None, filters: Filters, level: str, key: str) -> None:
    """A chart of `place_bars` or `paired_bars`: a click on a place's bar narrows the page to it."""
    if chart is None:
        widgets.empty_state("public_health.empty")
        return
    event = presenter.altair_chart(chart, key=click_key(filters, key), on_select="rerun")
    picked = widgets.selected_values(event, ph_charts.PLACE_CLICK.name, "place_code")
    if picked and picked[0] != filters.place:
        widgets.drill(filters, level, picked[0])
