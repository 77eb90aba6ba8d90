"""The sections of the alliances page (医联体), top to bottom: headline, registry, structure of the selected
alliance, resources flowing down, shared-service centres, comparison. Each reads the shared selection.

The selected alliance is the shared sidebar's (URL key `alliance`); a click on a registry row sets it.
The page's own choices (kind, integration, comparison indicator) are URL-bound through urlstate.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from healthdash.core.filters import Filters
from healthdash.core.fmt import fmt_count, fmt_month, fmt_value, fmt_wan, marked
from healthdash.core.i18n import current_lang, t, t_each
from healthdash.core.indicators import Indicator, meets_target
from healthdash.core.markup import inert
from healthdash.core.wording import status_labels, status_word, target_text
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.alliances import data as al
from healthdash.domains.alliances.charts import alliance_tree, lines_by_unit, stacked_bars
from healthdash.ui import charts, links, presenter, urlstate, widgets
from healthdash.ui.layout import Section
from healthdash.ui.sidebar import KEY, filter_options

ALL = "all"
KIND_KEY = "kind"
INTEGRATION_KEY = "integration"
RANK_KEY = "compare_by"


def kind_label(kind: str) -> str:
    return t("alliances.all") if kind == ALL else t(f"alliances.kind_{kind}")


def integration_label(integration: str) -> str:
    return t("alliances.all") if integration == ALL else t(f"alliances.integration_{integration}")


def select_alliance(code: str | None) -> None:
    """Make `code` the shared sidebar's alliance (a registry click). When the alliance serves a place
    outside the sidebar's places (a city's specialty alliance seen from one of its counties), the places
    widen to the one it serves, since the sidebar only offers alliances of the selected places."""
    state = st.session_state
    if code is None:
        state[KEY["alliance"]] = None
        return
    options = filter_options()
    if code not in options.alliances_in(state.get(KEY["city"]), state.get(KEY["county"])):
        home = options.alliances[code][1]
        state[KEY["city"]] = options.city_of(home)
        state[KEY["county"]] = home if home in options.counties else None
        state[KEY["town"]] = None
    state[KEY["alliance"]] = code


def _month_labels(months: pd.Series) -> list[str]:
    lang = current_lang()
    return [fmt_month(month, lang=lang) for month in months]


def _heading(key: str, **values: object) -> None:
    st.subheader(t(key, **{name: inert(value) for name, value in values.items()}), anchor=False)


def _chart_title(text: str) -> None:
    st.markdown(f"**{inert(text)}**")


# ---------------------------------------------------------------------------------------------- headline


def sections(filters: Filters) -> list[Section]:
    """The page's sections in screen order; the structure writes its own heading (it names the alliance)."""
    return [
        Section(t("presenter.headline"), lambda: headline(filters), heading=False),
        Section(t("alliances.registry"), lambda: registry(filters)),
        Section(t("alliances.structure"), lambda: structure(filters), heading=False),
        # Each per-member table is a slide of its own: under the charts it did not fit 1280×720.
        Section(t("alliances.resources"), lambda: resources(filters)),
        Section(t("alliances.posted_trend"), lambda: posted(filters), heading=False),
        Section(t("alliances.per_member"), lambda: resources_by_member(filters), heading=False),
        Section(t("alliances.shared"), lambda: shared_services(filters)),
        Section(t("alliances.per_member_shared"), lambda: shared_by_member(filters), heading=False),
        Section(t("alliances.workforce"), lambda: workforce(filters)),
        Section(t("alliances.staff_flags_title"), lambda: staff_flags(filters), heading=False),
        Section(t("alliances.pathogen"), lambda: pathogen(filters)),
        Section(t("alliances.pathogen_members"), lambda: pathogen_by_member(filters), heading=False),
        Section(t("alliances.comparison"), lambda: comparison(filters)),
    ]


def headline(filters: Filters) -> None:
    kpis = al.headline(filters)
    if all(card.value is None for card in kpis):
        widgets.empty_state("alliances.empty")
        return
    widgets.kpi_grid(kpis, filters)


# ---------------------------------------------------------------------------------------------- registry


def registry(filters: Filters) -> None:
    """The registry with its kind and integration filters."""
    kinds, integrations = [ALL, *al.KINDS], [ALL, *al.INTEGRATIONS]
    urlstate.choice(KIND_KEY, kinds, ALL)
    urlstate.choice(INTEGRATION_KEY, integrations, ALL)
    left, middle, _ = st.columns([1, 1, 2])
    left.selectbox(t("alliances.filter_kind"), kinds, key=KIND_KEY, format_func=kind_label)
    middle.selectbox(t("alliances.filter_integration"), integrations, key=INTEGRATION_KEY,
                     format_func=integration_label)
    urlstate.write_choice(KIND_KEY, ALL)
    urlstate.write_choice(INTEGRATION_KEY, ALL)
    kind = None if st.session_state[KIND_KEY] == ALL else st.session_state[KIND_KEY]
    integration = None if st.session_state[INTEGRATION_KEY] == ALL else st.session_state[INTEGRATION_KEY]

    frame = al.registry(filters, kind, integration)
    if frame.empty:
        filtered = kind is not None or integration is not None
        widgets.empty_state("alliances.empty_filtered" if filtered else "alliances.empty_registry")
        return
    totals = al.member_totals(filters, kind, integration)
    st.caption(t("alliances.registry_caption"))
    codes = list(frame["code"])
    key = f"alliance_registry_{filters.alliance or ''}_{kind or ALL}_{integration or ALL}"
    chosen = codes.index(filters.alliance) if filters.alliance in codes else None
    table, config = registry_table(frame, filters)
    links.table(
        table, key, hide_index=True, width="stretch", column_config=config, on_row=lambda: _on_pick(key, codes),
        selection_default={"selection": {"rows": [chosen]}} if chosen is not None else None,
    )
    st.markdown(t("alliances.registry_total", alliances=fmt_count(totals["alliances"]),
                  facilities=fmt_count(totals["facilities"]), memberships=fmt_count(totals["memberships"])))


def _on_pick(key: str, codes: list[str]) -> None:
    selection = st.session_state[key]["selection"]
    if selection.get("cells"):  # a name clicked: links.table opens its link
        return
    rows = selection["rows"]
    select_alliance(codes[rows[0]] if rows else None)


def registry_table(frame: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, dict]:
    """The registry with Chinese headers, lead and home place as links, members by tier (only the tiers
    some alliance shown has)."""
    lang = current_lang()
    options = filter_options()
    home_urls = [links.place_url("county" if code in options.counties else "city", code, filters, options)
                 for code in frame["home_region"]]
    col = {name: t(f"alliances.col_{name}") for name in ("name", "kind", "integration", "lead", "home",
                                                          "founded", "members")}
    table = pd.DataFrame({
        col["name"]: frame["name"],
        col["kind"]: [t(f"alliances.kind_{kind}") for kind in frame["kind"]],
        col["integration"]: [t(f"alliances.integration_{i}") for i in frame["integration"]],
        col["lead"]: links.facility_links(frame["lead_facility"], frame["lead_name"], filters),
        col["home"]: links.labelled_links(home_urls, frame["home_name"]),
        col["founded"]: [fmt_month(month, lang=lang) for month in frame["founded"]],
        col["members"]: frame["members"].astype("int64"),
    })
    # On a slide the members by tier are left out (on the page and in the download): too wide for a projector.
    for tier in () if presenter.slideshow_running() else al.MEMBER_TIERS:
        counts = frame[f"{tier}_members"].astype("int64")
        if counts.any():
            table[t(f"tier.{tier}")] = counts
    config = {
        col["name"]: st.column_config.TextColumn(col["name"], width="large"),
        col["lead"]: links.link_column(col["lead"], help=t("links.facility_help")),
        col["home"]: links.link_column(col["home"], help=t("links.county_help")),
    }
    return table, config


# ---------------------------------------------------------------------------------------------- structure


def structure(filters: Filters) -> None:
    """The selected alliance as a tree: lead → tier groups → members."""
    if not filters.alliance:
        _heading("alliances.structure")
        st.info(t("alliances.structure_pick"), icon=":material/touch_app:")
        return
    frame = al.members(filters.alliance, filters.month_to)
    lead = frame[frame["role"] == "lead"]
    others = frame[frame["role"] != "lead"]
    name = _alliance_name(filters.alliance)
    _heading("alliances.structure_of", name=name)
    if lead.empty:
        widgets.empty_state("alliances.structure_empty")
        return
    lang = current_lang()
    groups = []
    for tier in al.MEMBER_TIERS:
        tier_rows = others[others["tier"] == tier]
        if tier_rows.empty:
            continue
        items = [
            (row.facility_name,
             t("alliances.joined", month=fmt_month(row.joined, lang=lang), place=_place(row)))
            for row in tier_rows.itertuples(index=False)
        ]
        groups.append((tier, t("alliances.tier_group", tier=t(f"tier.{tier}"), count=len(items)), items))
    option, height = alliance_tree(str(lead["facility_name"].iloc[0]), groups)
    st.caption(t("alliances.structure_caption", count=fmt_count(len(others)),
                 month=fmt_month(filters.month_to, lang=lang)))
    st.echarts_chart(option, height=height, key=f"tree_{filters.alliance}",
                     alt=t("alliances.structure_alt", name=name))
    with st.expander(t("alliances.member_list")):
        links.table(member_table(frame, filters), "alliance_members", hide_index=True, width="stretch",
                    column_config={t("alliances.col_facility"): links.link_column(t("alliances.col_facility"))})


def _place(row: object) -> str:
    town = getattr(row, "town_name", None)
    county = getattr(row, "county_name", None) or ""
    return county + (town if isinstance(town, str) else "")


def member_table(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    lang = current_lang()
    return pd.DataFrame({
        t("alliances.col_facility"): links.facility_links(frame["facility_code"], frame["facility_name"], filters),
        t("alliances.col_role"): [t(f"alliances.role_{role}") for role in frame["role"]],
        t("alliances.col_tier"): t_each("tier", frame["tier"]),
        t("alliances.col_place"): [_place(row) for row in frame.itertuples(index=False)],
        t("alliances.col_joined"): [fmt_month(month, lang=lang) for month in frame["joined"]],
    })


def _alliance_name(code: str) -> str:
    return filter_options().alliances[code][0]


# ---------------------------------------------------------------------------------------------- resources


def resources(filters: Filters) -> None:
    """Staff sent by role, sessions and trainings, posted physicians: trend and per member facility."""
    monthly = al.activity_by_month(filters)
    if monthly.empty:
        widgets.empty_state("alliances.empty_activity")
        return
    st.caption(t("alliances.resources_caption"))
    left, right = st.columns(2, gap="large")
    with left:
        _chart_title(t("alliances.staff_by_role"))
        roles = [t(f"alliances.role_{role}") for role in al.STAFF_ROLES]
        staff = _long(monthly, al.STAFF_ROLES, roles, ["人次"] * len(roles))
        presenter.altair_chart(stacked_bars(staff, x="month", y="value", series="label", text="text", order=roles,
                                            y_title=unit_title("人次")))
    with right:
        _chart_title(t("alliances.events"))
        catalog = indicator_catalog()
        names = [t(f"alliances.event_{event}") for event in al.EVENTS]
        units = [catalog[event].unit for event in al.EVENTS]
        events = _long(monthly, al.EVENTS, names, units)
        presenter.altair_chart(lines_by_unit(events, x="month", y="value", series="label", text="text", order=names,
                                             units={name: unit_title(unit) for name, unit in zip(names, units,
                                                                                               strict=True)}))


def posted(filters: Filters) -> None:
    """Physicians posted to primary members per 10,000 people (a slide of its own beside the two charts)."""
    if al.activity_by_month(filters).empty:
        return
    lang = current_lang()
    posted = al.posted_by_month(filters, filters.month_from, filters.month_to)
    total = posted[posted["alliance_code"].isna()]
    left, right = st.columns(2, gap="large")
    with left:
        _chart_title(t("alliances.posted_trend"))
        if total.empty:
            widgets.empty_state("alliances.empty_posted")
        else:
            label = t("alliances.posted_series")
            series = total.assign(label=label, text=[fmt_value(v, "人/万人", lang=lang) for v in total["per_10k"]])
            presenter.altair_chart(charts.monthly_lines(
                series, x="month", y="per_10k", series="label", text="text", colors=charts.series_colors([label]),
                axis_format=",.2f", y_title=t("alliances.unit_per_10k"), height=220))
    with right:
        if not total.empty:
            end = total.iloc[-1]
            st.markdown(t("alliances.posted_end", month=fmt_month(end["month"], lang=lang),
                          posted=fmt_count(end["posted_physicians"]),
                          population=fmt_wan(end["population"], lang=lang),
                          value=fmt_value(end["per_10k"], "人/万人", lang=lang)))
            st.caption(t("alliances.posted_definition"))


def _per_member(filters: Filters, by_month: Callable[[Filters], pd.DataFrame],
                by_facility: Callable[[Filters], pd.DataFrame],
                table: Callable[[pd.DataFrame, Filters], tuple[pd.DataFrame, dict]], title_key: str, name: str,
                weight: Callable[[pd.DataFrame], pd.Series]) -> None:
    """A report's table per member facility under its title (nothing when the selection has no such report):
    of a province's thousands of members, the widgets.GRID_ROWS with the most `weight`, said in a caption."""
    if by_month(filters).empty:
        return
    _chart_title(t(title_key))
    members = by_facility(filters)
    shown = widgets.busiest_rows(members, weight(members))
    if len(shown) < len(members):
        lang = current_lang()
        st.caption(t("alliances.members_top", total=fmt_count(len(members), lang=lang),
                     shown=fmt_count(len(shown), lang=lang)))
    frame, config = table(shown, filters)
    links.table(frame, name, hide_index=True, width="stretch", column_config=config)


def resources_by_member(filters: Filters) -> None:
    _per_member(filters, al.activity_by_month, al.activity_by_facility, _member_activity_table,
                "alliances.per_member", "alliance_activity",
                lambda frame: frame[["staff_sent", *al.EVENTS]].sum(axis=1))


def _long(frame: pd.DataFrame, columns: tuple[str, ...], labels: list[str], units: list[str]) -> pd.DataFrame:
    """`columns` of a monthly frame as rows (month, label, value, text), each value written with its unit."""
    lang = current_lang()
    long = frame.melt(id_vars="month", value_vars=list(columns), var_name="column", value_name="value")
    names = dict(zip(columns, labels, strict=True))
    unit_of = dict(zip(columns, units, strict=True))
    return long.assign(label=long["column"].map(names),
                       text=[fmt_value(v, unit_of[c], lang=lang) for v, c in zip(long["value"], long["column"],
                                                                                  strict=True)])


# The axis title of each unit of a count; a unit not listed is its own title.
_UNIT_TITLES = {"人次": "alliances.unit_person_times", "次": "alliances.unit_times", "台次": "alliances.unit_operations",
                "人": "alliances.unit_people"}


def unit_title(unit: str) -> str:
    """'次', '台次', '人' (zh); 'Sessions', 'Operations', 'People' (en): what an axis of that unit counts."""
    key = _UNIT_TITLES.get(unit)
    return t(key) if key else unit


def _slide_columns(table: pd.DataFrame, *keys: str) -> pd.DataFrame:
    """`table` without the columns of locale `keys` on a slide (a member's name says its county; every column
    is on the page and in the download): with them an English table ran off a 1280×720 projector."""
    return table.drop(columns=[t(key) for key in keys]) if presenter.slideshow_running() else table


def _member_activity_table(frame: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, dict]:
    facility = t("alliances.col_facility")
    table = pd.DataFrame({
        facility: links.facility_links(frame["facility_code"], frame["facility_name"], filters),
        t("alliances.col_tier"): t_each("tier", frame["tier"]),
        t("alliances.col_county"): frame["county_name"],
        t("alliances.col_staff"): frame["staff_sent"].astype("int64"),
    })
    # On a slide the staff by role are left out (their total is there): fourteen columns do not fit.
    for column in al.EVENTS if presenter.slideshow_running() else (*al.STAFF_ROLES, *al.EVENTS):
        key = f"alliances.role_{column}" if column in al.STAFF_ROLES else f"alliances.event_{column}"
        table[t(key)] = frame[column].astype("int64")
    table[t("alliances.col_posted")] = frame["posted_physicians"].astype("int64")
    table = _slide_columns(table, "alliances.col_tier", "alliances.col_county")
    return table, {facility: links.link_column(facility, width="large", pinned=True)}


# ---------------------------------------------------------------------------------------------- shared


def shared_services(filters: Filters) -> None:
    """Remote consultations by service and the imaging quality rates against their targets."""
    monthly = al.shared_by_month(filters)
    if monthly.empty:
        widgets.empty_state("alliances.empty_shared")
        return
    lang = current_lang()
    catalog = indicator_catalog()
    left, right = st.columns(2, gap="large")
    with left:
        _chart_title(t("alliances.consults_by_service"))
        services = [service for service in al.SERVICES if service in set(monthly["service"])]
        labels = [t(f"alliances.service_{service}") for service in services]
        volume = monthly.assign(
            label=monthly["service"].map(dict(zip(services, labels, strict=True))),
            text=[fmt_value(v, "人次", lang=lang) for v in monthly["remote_cases"]],
        )
        presenter.altair_chart(stacked_bars(volume, x="month", y="remote_cases", series="label", text="text",
                                            order=labels, y_title=t("alliances.unit_person_times")))
    quality = al.quality_by_month(monthly)
    with right:
        _chart_title(t("alliances.quality"))
        if quality.empty:
            widgets.empty_state("alliances.empty_quality")
        else:
            names = {code: catalog[code].name(lang) for code in al.QUALITY}
            rates = quality.assign(label=quality["indicator_code"].map(names),
                                   text=[fmt_value(v, "%", lang=lang) for v in quality["value"]])
            targets = {names[code]: catalog[code].target_value for code in al.QUALITY}
            presenter.altair_chart(charts.monthly_lines(
                rates, x="month", y="value", series="label", text="text",
                colors=charts.series_colors(list(names.values())), targets=targets, axis_format=".0%", zero=False))
            st.caption(t("alliances.quality_caption", targets=t("summary.clause_sep").join(
                t("summary.name_target", name=inert(names[code]), target=target_text(catalog[code]))
                for code in al.QUALITY)))
    if not quality.empty:
        with st.expander(t("alliances.quality_table")):
            st.dataframe(quality_table(monthly, quality), hide_index=True, width="stretch")


def shared_by_member(filters: Filters) -> None:
    _per_member(filters, al.shared_by_month, al.shared_by_facility, _member_shared_table,
                "alliances.per_member_shared", "alliance_shared",
                lambda frame: frame[[f"{service}_cases" for service in al.SERVICES]].sum(axis=1))


def quality_table(monthly: pd.DataFrame, quality: pd.DataFrame) -> pd.DataFrame:
    """Month by month: imaging cases reviewed and the two quality rates, formatted."""
    lang = current_lang()
    catalog = indicator_catalog()
    imaging = monthly[monthly["service"] == "imaging"].set_index("month")
    wide = quality.pivot(index="month", columns="indicator_code", values="value")
    table = pd.DataFrame({t("alliances.col_month"): _month_labels(pd.Series(wide.index))})
    table[t("alliances.col_reviewed")] = [fmt_count(imaging.loc[m, "cases_reviewed"]) for m in wide.index]
    for code in al.QUALITY:
        values = wide[code] if code in wide else pd.Series(index=wide.index, dtype="float64")
        table[catalog[code].name(lang)] = [fmt_value(v, "%", lang=lang) for v in values]
    return table


def _member_shared_table(frame: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, dict]:
    lang = current_lang()
    catalog = indicator_catalog()
    facility = t("alliances.col_facility")
    table = pd.DataFrame({
        facility: links.facility_links(frame["facility_code"], frame["facility_name"], filters),
        t("alliances.col_tier"): t_each("tier", frame["tier"]),
        t("alliances.col_county"): frame["county_name"],
    })
    for service in al.SERVICES:
        values = frame[f"{service}_cases"]
        if values.notna().any():
            table[t(f"alliances.service_{service}")] = [fmt_count(v) for v in values]
    for code, (numerator, denominator) in al.QUALITY_COUNTS.items():
        table[catalog[code].name(lang)] = [
            fmt_value(n / d, "%", lang=lang) if d and not pd.isna(d) else fmt_value(None, "%")
            for n, d in zip(frame[numerator], frame[denominator], strict=True)
        ]
    table = _slide_columns(table, "alliances.col_tier", "alliances.col_county")
    return table, {facility: links.link_column(facility, width="large", pinned=True)}


# ---------------------------------------------------------------------------------------------- workforce


def workforce(filters: Filters) -> None:
    """Staff on the licensing registers at each alliance's members at the period's end, against the physicians
    the alliance posted to its primary members; facilities whose reports their staff cannot support."""
    frame = al.workforce(filters)
    if frame.empty or not frame["reported"].any():
        widgets.empty_state("alliances.empty_workforce")
        return
    lang = current_lang()
    month = fmt_month(filters.month_to, lang=lang)
    st.caption(t("alliances.workforce_caption", month=month))
    table, config = workforce_table(frame, filters)
    links.table(table, "alliance_workforce", hide_index=True, width="stretch", column_config=config)


def staff_flags(filters: Filters) -> None:
    """Facilities whose reports their registered staff cannot support (a slide of its own)."""
    frame = al.workforce(filters)
    if frame.empty or not frame["reported"].any():
        return
    flagged = al.staff_flags(filters)
    if flagged.empty:
        st.caption(t("alliances.staff_flags_none"))
        return
    st.markdown(t("alliances.staff_flags", count=len(flagged)))
    names = links.facility_links(flagged["facility_code"], flagged["facility_name"], filters)
    facility = t("alliances.col_facility")
    listing = pd.DataFrame({facility: names,
                            t("alliances.col_tier"): t_each("tier", flagged["tier"]),
                            t("alliances.col_flag_months"): flagged["months"].astype("int64")})
    links.table(listing, "alliance_staff_flags", hide_index=True, width="stretch",
                column_config={facility: links.link_column(facility, width="large", pinned=True)})


def workforce_table(frame: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, dict]:
    """One row per alliance: members on the register, registered staff, posted physicians against the
    primary members' own, village doctors licensed."""
    lang = current_lang()
    name = t("alliances.col_name")
    table = pd.DataFrame({
        name: list(frame["alliance_name"]),
        t("alliances.col_reported"): [f"{int(r)}/{int(m)}" for r, m in zip(frame["reported"], frame["members"],
                                                                        strict=True)],
        t("alliances.col_physicians"): [fmt_count(v) for v in frame["physicians"]],
        t("alliances.col_nurses"): [fmt_count(v) for v in frame["nurses"]],
        t("alliances.col_technicians"): [fmt_count(v) for v in frame["technicians"]],
        t("alliances.col_primary_physicians"): [fmt_count(v) for v in frame["primary_physicians"]],
        t("alliances.col_posted"): [fmt_count(v) for v in frame["posted_physicians"]],
        t("alliances.col_posted_share"): [fmt_value(v, "%", lang=lang) for v in frame["posted_share"]],
        t("alliances.col_village_licensed"): [
            f"{int(lic)}/{int(all_)}" if all_ else fmt_value(None, "%")
            for lic, all_ in zip(frame["village_doctors_licensed"], frame["village_doctors"], strict=True)],
    })
    # On a slide the nurses and technicians make room for the alliances' whole names.
    table = _slide_columns(table, "alliances.col_nurses", "alliances.col_technicians")
    width = "large" if presenter.slideshow_running() else "medium"
    return table, {name: st.column_config.TextColumn(name, width=width, pinned=True)}


# ---------------------------------------------------------------------------------------------- pathogen


def pathogen(filters: Filters) -> None:
    """The pathogen identification network: cases sent and identified per month, turnaround, per member."""
    monthly = al.pathogen_by_month(filters)
    if monthly.empty:
        widgets.empty_state("alliances.empty_pathogen")
        return
    lang = current_lang()
    catalog = indicator_catalog()
    totals = al.pathogen_totals(monthly)
    st.markdown(t("alliances.pathogen_total", sent=fmt_count(totals["cases_sent"]),
                  rate=fmt_value(totals["identification_rate"], "%", lang=lang),
                  hours=fmt_value(totals["turnaround"], "小时", lang=lang)))
    left, right = st.columns(2, gap="large")
    with left:
        _chart_title(t("alliances.pathogen_cases"))
        labels = [t("alliances.pathogen_identified"), t("alliances.pathogen_pending")]
        cases = pd.concat([
            monthly.assign(label=labels[0], value=monthly["cases_identified"]),
            monthly.assign(label=labels[1], value=monthly["cases_sent"] - monthly["cases_identified"]),
        ], ignore_index=True)
        cases = cases.assign(text=[fmt_value(v, "例", lang=lang) for v in cases["value"]])
        presenter.altair_chart(stacked_bars(cases, x="month", y="value", series="label", text="text", order=labels,
                                            y_title=t("alliances.unit_cases")))
    with right:
        name = catalog["pathogen_turnaround_hours"].name(lang)
        _chart_title(name)
        label = t("alliances.pathogen_mean")
        hours = monthly.dropna(subset=["turnaround"]).assign(
            label=label, text=lambda f: [fmt_value(v, "小时", lang=lang) for v in f["turnaround"]])
        presenter.altair_chart(charts.monthly_lines(
            hours, x="month", y="turnaround", series="label", text="text", colors=charts.series_colors([label]),
            axis_format=",.0f", y_title=t("alliances.unit_hours")))
    st.caption(t("alliances.pathogen_caption"))


def pathogen_by_member(filters: Filters) -> None:
    _per_member(filters, al.pathogen_by_month, al.pathogen_by_facility, pathogen_table,
                "alliances.pathogen_members", "alliance_pathogen", lambda frame: frame["cases_sent"])


def pathogen_table(frame: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, dict]:
    lang = current_lang()
    catalog = indicator_catalog()
    facility = t("alliances.col_sender")
    table = pd.DataFrame({
        t("alliances.col_network"): list(frame["alliance_name"]),
        facility: links.facility_links(frame["facility_code"], frame["facility_name"], filters),
        t("alliances.col_county"): frame["county_name"],
        t("alliances.col_cases_sent"): [fmt_count(v) for v in frame["cases_sent"]],
        t("alliances.col_cases_identified"): [fmt_count(v) for v in frame["cases_identified"]],
        catalog["pathogen_identification_rate"].name(lang): [fmt_value(v, "%", lang=lang)
                                                            for v in frame["identification_rate"]],
        catalog["pathogen_turnaround_hours"].name(lang): [fmt_value(v, "小时", lang=lang) for v in frame["turnaround"]],
    })
    table = _slide_columns(table, "alliances.col_network", "alliances.col_county")
    return table, {facility: links.link_column(facility, width="large", pinned=True)}


# ---------------------------------------------------------------------------------------------- comparison


def comparison(filters: Filters) -> None:
    """The registry's alliances on the same indicators, ranked by one of them (URL-bound)."""
    frame, totals = al.comparison(filters, *_registry_filters())
    if frame.empty:
        widgets.empty_state("alliances.empty_registry")
        return
    lang = current_lang()
    catalog = indicator_catalog()
    urlstate.choice(RANK_KEY, al.COMPARED, al.COMPARED[0])
    st.selectbox(t("alliances.comparison_indicator"), al.COMPARED, key=RANK_KEY,
                 format_func=lambda code: catalog[code].name(lang))
    urlstate.write_choice(RANK_KEY, al.COMPARED[0])
    indicator = catalog[st.session_state[RANK_KEY]]
    code = indicator.code
    ascending = indicator.direction == "down"
    ranked = frame.sort_values(code, ascending=ascending, na_position="last").reset_index(drop=True)
    st.caption(t("alliances.comparison_caption", indicator=inert(indicator.name(lang)), count=len(frame)))
    plotted = ranked.dropna(subset=[code])
    if presenter.slideshow_running():  # the ranking's first bars; the table and the rest on the page
        plotted = presenter.slide_rows(plotted, 10)
    if plotted.empty:
        widgets.empty_state("alliances.empty_comparison")
    else:
        _comparison_chart(plotted, indicator, filters)
    if presenter.slideshow_running():
        return
    table = comparison_table(ranked, totals, filters)
    name_col = t("alliances.col_name")
    links.table(table, "alliance_comparison", hide_index=True, width="stretch", placeholder="",
                column_config={name_col: links.link_column(name_col, width="large", help=t("links.alliance_help"),
                                                            pinned=True)})


def _comparison_chart(frame: pd.DataFrame, indicator: Indicator, filters: Filters) -> None:
    """Bars of the ranking: pass/fail colours and the target rule when the indicator has a target,
    otherwise one colour with the selected alliance darker."""
    lang = current_lang()
    code = indicator.code
    texts = [fmt_value(v, indicator.unit, lang=lang) for v in frame[code]]
    axis = ".0%" if indicator.is_percent else ",.2~f"
    picked = alt.selection_point(name=widgets.RANKING_SELECTION, fields=["code"])
    if indicator.target is None:
        selected = _alliance_name(filters.alliance) if filters.alliance in set(frame["code"]) else None
        chart = charts.plain_bars(frame.assign(text=texts), label="name", value=code, text="text", highlight=selected,
                                  value_title=indicator.name(lang), axis_format=axis, label_limit=260, selection=picked)
    else:
        meets = [meets_target(indicator, v) for v in frame[code]]
        shown = frame.assign(
            text=[marked(text, m) for text, m in zip(texts, meets, strict=True)],
            status=[status_word(m) for m in meets],
        )
        chart = charts.ranking_bar(shown, label="name", value=code, text="text", status="status",
                                   status_labels=status_labels(), target=indicator.target_value,
                                   axis_format=axis, value_title=indicator.name(lang), selection=picked)
    # A click selects the alliance in the shared sidebar (before it is drawn again: a callback).
    key = f"alliance_comparison_chart_{code}_{filters.alliance or ''}"
    presenter.altair_chart(chart, key=key, on_select=lambda: _on_bar(key))
    st.caption(t("alliances.comparison_click"))


def _on_bar(key: str) -> None:
    codes = widgets.selected_values(st.session_state[key], widgets.RANKING_SELECTION, "code")
    if codes:
        select_alliance(codes[0])


def comparison_table(ranked: pd.DataFrame, totals: dict[str, float | None], filters: Filters) -> pd.DataFrame:
    """Every compared indicator side by side, in ranking order, with the total across alliances last."""
    lang = current_lang()
    catalog = indicator_catalog()
    name_col = t("alliances.col_name")
    member_total = al.member_totals(filters, *_registry_filters())["facilities"]
    table = pd.DataFrame({
        t("alliances.col_rank"): [str(i + 1) for i in range(len(ranked))],
        name_col: links.alliance_links(ranked["code"], ranked["name"], filters),
        t("alliances.col_kind"): [t(f"alliances.kind_{kind}") for kind in ranked["kind"]],
        t("alliances.col_members"): [fmt_count(v) for v in ranked["members"]],
    })
    for code in al.COMPARED:
        table[catalog[code].name(lang)] = [fmt_value(v, catalog[code].unit, lang=lang, compact=False) for v in ranked[code]]
    total = {
        t("alliances.col_rank"): t("alliances.total"),
        name_col: None,
        t("alliances.col_kind"): "",
        t("alliances.col_members"): fmt_count(member_total),
    } | {catalog[code].name(lang): fmt_value(totals[code], catalog[code].unit, lang=lang, compact=False) for code in al.COMPARED}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def _registry_filters() -> tuple[str | None, str | None]:
    # Through urlstate: on a slide the registry's selects are not drawn, and the URL still holds them.
    kind = urlstate.choice(KIND_KEY, [ALL, *al.KINDS], ALL)
    integration = urlstate.choice(INTEGRATION_KEY, [ALL, *al.INTEGRATIONS], ALL)
    return (None if kind == ALL else kind), (None if integration == ALL else integration)
