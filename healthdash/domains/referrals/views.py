"""双向转诊 Referrals page sections: volumes against last year, flows between tiers and hospitals, where the
county loses patients, a ranking that narrows the page on a click, and every facility's figures to download.

`sections(filters)` reads the focus facility once (every section draws for it) and returns the page's
sections in screen order; pages/referrals.py renders them with layout.render_page.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from healthdash.core.exports import COUNT
from healthdash.core.filters import TIERS, Filters
from healthdash.core.fmt import fmt_change, fmt_count, fmt_period, fmt_wan
from healthdash.core.i18n import current_lang, t
from healthdash.core.markup import inert
from healthdash.data.kpi import headline, indicator_catalog
from healthdash.domains.referrals import charts as referral_charts
from healthdash.domains.referrals import data as referrals
from healthdash.ui import capture, charts, downloads, links, presenter, urlstate, widgets
from healthdash.ui.layout import Section


@dataclass(frozen=True)
class Focus:
    """The facilities of the selection with referrals (the table's rows, the focus's choices) and the one
    the page is focused on, if any."""

    frame: pd.DataFrame
    names: dict[str, str]
    options: list[str]
    code: str | None

    def on(self, code: str | None) -> None:
        """Focus the page on a facility clicked in a chart (ignoring the one already in focus)."""
        if code and code != self.code and code in self.names:
            urlstate.request("facility", code)


def _tier_names() -> dict[str, str]:
    return {tier: t(f"tier.{tier}") for tier in TIERS}


def _direction_names() -> dict[str, str]:
    return {direction: t(f"referrals.dir_{direction}") for direction in referrals.DIRECTIONS}


def read_focus(filters: Filters) -> Focus:
    frame = referrals.by_facility(filters)
    names = dict(zip(frame["facility_code"], frame["facility_name"], strict=True))
    options = ["", *names]
    urlstate.choice("facility", options, "")
    return Focus(frame, names, options, st.session_state["facility"] or None)


def ranking(filters: Filters, focus: Focus) -> None:
    catalog = indicator_catalog()
    urlstate.choice("ref_rank", referrals.HEADLINE, "down_up_ratio")
    st.selectbox(
        t("referrals.ranking_indicator"), referrals.HEADLINE, key="ref_rank",
        format_func=lambda code: catalog[code].name(current_lang()),
    )
    urlstate.write_choice("ref_rank", "down_up_ratio")
    ranked = catalog[st.session_state["ref_rank"]]
    widgets.ranking_chart(filters, ranked, downloads=True, limit=20, on_facility=focus.on, key=focus.code or "")


def focus_picker(focus: Focus) -> None:
    left, _ = st.columns([2, 3])
    every_facility = t("referrals.focus_all")
    left.selectbox(
        t("referrals.focus"), focus.options, key="facility",
        format_func=lambda code: focus.names.get(code, every_facility), help=t("referrals.focus_help"),
    )
    urlstate.write_choice("facility", "")
    if focus.code:
        st.info(t("referrals.focus_note", facility=inert(focus.names[focus.code])),
                icon=":material/filter_center_focus:")


def trend(filters: Filters, focus: Focus) -> None:
    lang = current_lang()
    direction_names = _direction_names()
    first, last = referrals.trend_window(filters.month_from, filters.month_to)
    this_period, last_year = t("referrals.this_period"), t("referrals.last_year")
    frame = referrals.trend_frame(
        referrals.monthly(filters, focus.code), first, last, this_period=this_period, last_year=last_year,
        lang=lang,
    )
    if frame["referrals"].sum() == 0:
        widgets.empty_state("referrals.empty")
        return
    st.caption(t("referrals.trend_caption", period=fmt_period(first, last, lang=lang)))
    panels = st.columns(2) + st.columns(2)
    for panel, direction in zip(panels, referrals.DIRECTIONS, strict=True):
        name = direction_names[direction]
        rows = frame[frame["direction"] == direction].assign(
            series=lambda part, name=name: part["series"].map({this_period: name, last_year: last_year})
        )
        with panel:
            presenter.altair_chart(charts.monthly_lines(
                rows, x="month", y="referrals", series="series", text="text", dashed=[last_year],
                colors={name: referral_charts.DIRECTION_COLORS[direction], last_year: charts.GRAY},
                y_title=t("referrals.referrals"), height=210, title=name,
            ))


def tier_flows(filters: Filters, focus: Focus) -> None:
    lang = current_lang()
    direction_names = _direction_names()
    flows = referrals.tier_flows(filters, focus.code)
    if flows.empty:
        widgets.empty_state("referrals.empty")
        return
    spec = referral_charts.sankey_spec(
        flows,
        tier_names=_tier_names() | {"outside": t("referrals.outside")},
        sent=t("referrals.sent"),
        received=t("referrals.received"),
        direction_colors=referral_charts.DIRECTION_COLORS,
        value_text=lambda value: fmt_wan(value, lang=lang),
        value_format=t("referrals.value_format"),
        font=charts.FONT,
    )
    nodes = max(flows["from_tier"].nunique(), flows["to_tier"].nunique())
    st.echarts_chart(spec, height=max(260, 70 * nodes), key="ref_sankey")
    # The Sankey cannot be drawn offline; the meeting documents print its flows as a table instead.
    tiers = _tier_names() | {"outside": t("referrals.outside")}
    ranked = flows.sort_values("referrals", ascending=False)
    count = t("meeting.flow_count")
    capture.table(t("referrals.flows"), pd.DataFrame({
        t("meeting.flow_from"): [tiers.get(str(code), str(code)) for code in ranked["from_tier"]],
        t("meeting.flow_to"): [tiers.get(str(code), str(code)) for code in ranked["to_tier"]],
        t("meeting.flow_direction"): [direction_names.get(str(code), str(code)) for code in ranked["direction"]],
        count: ranked["referrals"].astype(float).to_numpy(),
    }), {count: COUNT})
    legend = "　".join(
        f'<span style="color:{referral_charts.DIRECTION_COLORS[d]};font-weight:700">━━</span> {direction_names[d]}'
        for d in referrals.DIRECTIONS
    )
    st.markdown(legend, unsafe_allow_html=True)
    st.caption(t("referrals.flows_caption"))


def out_of_county(filters: Filters, focus: Focus) -> None:
    lang = current_lang()
    outflow = referrals.out_of_county(filters, focus.code)
    receivers = referrals.receivers(outflow, lang)
    if receivers.empty:
        widgets.empty_state("referrals.empty_outflow")
        return
    base_from, base_to = filters.base_period()
    compare = t(f"compare.{filters.compare}")
    st.caption(t("referrals.outflow_caption", compare=compare, base=fmt_period(base_from, base_to, lang=lang)))
    st.markdown(f"**{t('referrals.receivers')}**")
    shown = receivers.assign(share=receivers["share"] * 100, change=receivers["change"].map(fmt_change),
                             to_name=links.facility_links(receivers["to_facility"], receivers["to_name"], filters))
    links.table(
        shown[["to_name", "place", "referrals", "share", "change", "chapters"]], "referral_receivers",
        hide_index=True, width="stretch",
        column_config={
            "to_name": links.link_column(t("referrals.col_receiver"), help=t("links.facility_help")),
            "place": st.column_config.TextColumn(t("referrals.col_place")),
            "referrals": st.column_config.NumberColumn(t("referrals.col_referrals"), format="%,d"),
            "share": st.column_config.NumberColumn(t("referrals.col_share"), format="%.1f%%"),
            "change": st.column_config.TextColumn(compare),
            "chapters": st.column_config.TextColumn(t("referrals.col_chapters"), width="large"),
        },
    )


def outflow_diseases(filters: Filters, focus: Focus) -> None:
    """What the patients referred out of the county had (a slide of its own: under the table it did not fit)."""
    lang = current_lang()
    outflow = referrals.out_of_county(filters, focus.code)
    if referrals.receivers(outflow, lang).empty:
        return
    st.markdown(f"**{t('referrals.diseases')}**")
    groups = referrals.diseases(outflow, lang)
    presenter.altair_chart(charts.plain_bars(
        groups, label="name", value="referrals", text="text", color=charts.ORANGE,
        value_title=t("referrals.referrals"), height_per_bar=24, label_limit=260,
    ))


def matrix(filters: Filters, focus: Focus) -> None:
    pairs = referrals.matrix_frame(referrals.facility_pairs(filters, focus.code), current_lang())
    if pairs.empty:
        # across a province the largest senders and receivers are in different counties: no pair between them
        st.info(t("referrals.matrix_apart" if len(focus.frame) else "referrals.empty"), icon=":material/info:")
        return
    st.caption(t("referrals.matrix_caption", top=referrals.MATRIX_TOP))
    cell = alt.selection_point(name="cell", fields=["from_facility", "to_facility"])
    receivers_order = pairs.drop_duplicates("to_facility").sort_values("to_total", ascending=False)["to_name"]
    senders_order = pairs.drop_duplicates("from_facility").sort_values("from_total", ascending=False)["from_name"]
    chart = charts.heatmap(
        pairs, x="to_name", y="from_name", value="referrals", text="text", dark="dark",
        x_order=receivers_order.tolist(), y_order=senders_order.tolist(),
        x_title=t("referrals.receiver"), y_title=t("referrals.sender"), value_title=t("referrals.referrals"),
        selection=cell,
    )
    event = presenter.altair_chart(
        chart, key=f"ref_matrix_{filters.place or 'all'}_{focus.code or ''}", on_select="rerun"
    )
    for sender, receiver in zip(widgets.selected_values(event, "cell", "from_facility"),
                                widgets.selected_values(event, "cell", "to_facility"), strict=False):
        focus.on(sender if sender in focus.names else receiver)


def facility_table(filters: Filters, focus: Focus) -> None:
    frame = focus.frame
    if frame.empty:
        widgets.empty_state("referrals.empty")
        return
    columns = ["facility", "tier", "county", "town", "up", "down", "out_of_county", "returned", "up_received",
               "down_received", "down_up_ratio", "out_of_county_rate", "green_share"]
    headers = {key: t(f"referrals.col_{key}") for key in columns}
    table = referrals.facility_table(frame, headers, _tier_names())
    formats = {key: "%,d" for key in ("up", "down", "out_of_county", "returned", "up_received", "down_received")}
    formats |= {"down_up_ratio": "%.2f", "out_of_county_rate": "%.1f%%", "green_share": "%.1f%%"}
    shown = widgets.busiest_rows(frame, referrals.facility_volume(frame))
    if len(shown) < len(frame):
        st.caption(t("referrals.table_caption_top", total=fmt_count(len(frame), lang=current_lang()),
                     shown=fmt_count(len(shown), lang=current_lang())))
    else:
        st.caption(t("referrals.table_caption"))
    linked = table.loc[shown.index].assign(**{headers["facility"]: links.facility_links(
        shown["facility_code"], shown["facility_name"], filters)})
    if presenter.slideshow_running():  # thirteen columns are too wide for a projector; all are in the file
        linked = linked.drop(columns=[headers["tier"], headers["county"], headers["town"]])
    links.table(
        linked, "referral_facilities", hide_index=True, width="stretch", height=420, placeholder="—",
        column_config={
            headers["facility"]: links.link_column(headers["facility"], help=t("links.facility_help"), pinned=True),
            **{headers[key]: st.column_config.NumberColumn(headers[key], format=fmt) for key, fmt in formats.items()},
        },
    )
    export, kinds = referrals.facility_export(table, headers)
    downloads.download_row("referrals_by_facility", widgets.title_block(t("referrals.table_file"), filters),
                           table=export, kinds=kinds)


def sections(filters: Filters) -> list[Section]:
    """The page's sections in screen order; with no referral data at all, the empty state and the run stops."""
    kpis = headline(filters, referrals.HEADLINE)
    if all(kpi.value is None for kpi in kpis):
        widgets.empty_state("referrals.empty")
        st.stop()
    focus = read_focus(filters)
    return [
        Section(t("presenter.headline"), lambda: widgets.kpi_grid(kpis, filters), heading=False),
        Section(t("referrals.ranking"), lambda: ranking(filters, focus)),
        Section(t("referrals.focus"), lambda: focus_picker(focus), heading=False, slide=False),
        Section(t("referrals.trend"), lambda: trend(filters, focus)),
        Section(t("referrals.flows"), lambda: tier_flows(filters, focus)),
        Section(t("referrals.outflow"), lambda: out_of_county(filters, focus)),
        Section(t("referrals.diseases"), lambda: outflow_diseases(filters, focus), heading=False),
        Section(t("referrals.matrix"), lambda: matrix(filters, focus)),
        Section(t("referrals.table"), lambda: facility_table(filters, focus)),
    ]
