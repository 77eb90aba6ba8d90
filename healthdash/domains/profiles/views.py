"""The sections of the two profile pages (区县画像, 机构画像), top to bottom as on screen.

The county profile's subject is the shared sidebar's county (URL ?county=CODE), so a link to it is an
ordinary selection; its picker writes the sidebar's keys. The facility profile's subject is the page's
own URL key ?facility=CODE, kept by urlstate like any page-level choice.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from healthdash.core.filters import Filters
from healthdash.core.fmt import fmt_count, fmt_month, fmt_period, fmt_value, marked
from healthdash.core.i18n import current_lang, t, t_each
from healthdash.core.indicators import meets_target
from healthdash.core.markup import inert
from healthdash.core.wording import target_text
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.alliances import data as al
from healthdash.domains.profiles import data as profiles
from healthdash.ui import charts, downloads, links, maps, presenter, urlstate, widgets
from healthdash.ui.layout import Section
from healthdash.ui.sidebar import KEY, filter_options

COUNTY_PICK = "profile_county"
_COMPACT = "county_referral_counts"
DIRECTIONS = ("up", "down", "out_of_county", "returned")


def _chart_title(text: str) -> None:
    st.markdown(f"**{inert(text)}**")


def _sentence(clauses: list[str]) -> str:
    """Clauses joined as one sentence of the interface language (；…。 or ; ….)."""
    return t("summary.clause_sep").join(clauses) + t("summary.full_stop")


def _direction(direction: str) -> str:
    return t(f"profile.dir_{direction}")


# ---------------------------------------------------------------------------------------------- county


def county_picker(filters: Filters) -> None:
    """A searchable choice of every county; picking one makes it the sidebar's county (and its city)."""
    options = filter_options()
    codes = list(options.counties)
    st.session_state[COUNTY_PICK] = filters.county

    def label(code: str) -> str:
        name, city = options.counties[code]
        return f"{options.cities.get(city, '')} · {name}"

    with st.container(key=presenter.PAGE_PICKER):
        st.selectbox(t("profile.pick_county"), codes, key=COUNTY_PICK, format_func=label,
                     placeholder=t("profile.pick_county_placeholder"), on_change=_on_county_pick)


def _on_county_pick() -> None:
    code = st.session_state.get(COUNTY_PICK)
    if not code:
        return
    st.session_state[KEY["city"]] = filter_options().city_of(code)
    st.session_state[KEY["county"]] = code
    st.session_state[KEY["town"]] = None
    st.session_state[KEY["alliance"]] = None


def county_title(filters: Filters) -> str:
    if not filters.county:
        return t("nav.county_profile")
    return t("profile.county_title", name=filter_options().counties[filters.county][0])


def county_scope_note(filters: Filters) -> None:
    if filters.town or filters.alliance:
        st.caption(t("profile.county_scope_note"))


def county_sections(county: Filters) -> list[Section]:
    """The county's sections in screen order; with no headline figure only the empty state."""
    cards = profiles.county_headline(county)
    if all(card.value is None for card in cards):
        return [Section(t("presenter.headline"), lambda: widgets.empty_state("profile.empty_county"), heading=False)]
    # The county among its city's counties: a click on another opens that county's profile.
    city = replace(county, county=None, town=None)
    mapped = widgets.rankable(city, [card.indicator.code for card in cards])
    return [
        Section(t("presenter.headline"), lambda: widgets.kpi_grid(cards, county), heading=False),
        Section(t("profile.care"), lambda: care_pattern(county)),
        Section(t("profile.referrals"), lambda: county_referrals(county)),
        Section(t("profile.alliances"), lambda: county_alliances(county)),
        *([Section(t("profile.map"), lambda: maps.indicator_map(city, mapped, key="profile_map", current=county.county))]
          if mapped else []),
        Section(t("profile.town_map"), lambda: maps.town_map(county, profiles.TOWN_HEALTH)),
        Section(t("profile.towns"), lambda: town_health(county)),
        Section(t("eldercare.title"), lambda: elderly_care(county)),
        Section(t("profile.workforce"), lambda: county_workforce(county)),
        Section(workforce_by_tier_title(county), lambda: county_workforce_by_tier(county), heading=False),
        Section(t("profile.facilities"), lambda: county_facilities(county)),
    ]


def care_pattern(filters: Filters) -> None:
    frame = profiles.care_pattern(filters)
    if frame.empty:
        widgets.empty_state("profile.empty_care")
        return
    lang = current_lang()
    catalog = indicator_catalog()
    names = {code: catalog[code].name(lang) for code in profiles.CARE_PATTERN}
    shown = [code for code in profiles.CARE_PATTERN if code in set(frame["indicator_code"])]
    rates = frame.assign(label=frame["indicator_code"].map(names),
                         text=[fmt_value(v, "%", lang=lang) for v in frame["value"]])
    first, last = profiles.care_months(filters)
    st.caption(t("profile.care_caption", period=fmt_period(first, last, lang=lang), targets=t("summary.clause_sep").join(
        t("summary.name_target", name=inert(names[code]), target=target_text(catalog[code])) for code in shown)))
    presenter.altair_chart(charts.monthly_lines(
        rates, x="month", y="value", series="label", text="text",
        colors=charts.series_colors([names[code] for code in shown]),
        targets={names[code]: catalog[code].target_value for code in shown}, axis_format=".0%", zero=False,
        height=280))


def county_referrals(filters: Filters) -> None:
    """Referral counts by direction, then who the county sends patients to outside and who sends to it."""
    lang = current_lang()
    counts = profiles.referral_counts(filters)
    # Four cards to a row: smaller figures, so that "1,136人次" is not cut at 1280 px.
    st.html(f"<style>.st-key-{_COMPACT} [data-testid='stMetricValue'] {{font-size: 1.6rem;}}</style>")
    with st.container(key=_COMPACT):
        widgets.kpi_grid([counts[code] for code in profiles.REFERRAL_COUNTS], filters, per_row=4)
    exchange = profiles.referral_exchange(filters)
    left, right = st.columns(2, gap="large")
    for column, side in ((left, "out"), (right, "in")):
        with column:
            _chart_title(t(f"profile.exchange_{side}"))
            rows = exchange[exchange["side"] == side]
            if rows.empty:
                widgets.empty_state(f"profile.empty_exchange_{side}")
                continue
            st.caption(t(f"profile.exchange_{side}_caption", total=fmt_value(rows["referrals"].sum(), "人次",
                                                                            lang=lang)))
            table, config = _partner_table(rows, filters)
            links.table(table, f"profile_exchange_{side}", hide_index=True, width="stretch", column_config=config)


def _partner_table(rows: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, dict]:
    """Partner facilities (links), direction and referrals: narrow enough for half the page."""
    partner = t("profile.col_partner")
    table = pd.DataFrame({
        partner: links.facility_links(rows["partner_code"], rows["partner_name"], filters),
        t("profile.col_direction"): [_direction(d) for d in rows["direction"]],
        t("profile.col_referrals"): rows["referrals"].astype("int64").to_numpy(),
    })
    return table, {partner: links.link_column(partner, help=t("links.facility_help"), width="medium")}


def county_alliances(filters: Filters) -> None:
    frame = profiles.county_alliances(filters)
    if frame.empty:
        widgets.empty_state("profile.empty_alliances")
        return
    lang = current_lang()
    name, lead = t("alliances.col_name"), t("alliances.col_lead")
    table = pd.DataFrame({
        name: links.alliance_links(frame["code"], frame["name"], filters),
        t("alliances.col_kind"): [t(f"alliances.kind_{k}") for k in frame["kind"]],
        t("alliances.col_integration"): [t(f"alliances.integration_{i}") for i in frame["integration"]],
        lead: links.facility_links(frame["lead_facility"], frame["lead_name"], filters),
        t("alliances.col_home"): frame["home_name"],
        t("alliances.col_founded"): [fmt_month(m, lang=lang) for m in frame["founded"]],
        t("alliances.col_members"): frame["members"].astype("int64"),
    })
    st.caption(t("profile.alliances_caption"))
    links.table(table, "profile_alliances", hide_index=True, width="stretch", column_config={
        name: links.link_column(name, help=t("links.alliance_help"), width="large"),
        lead: links.link_column(lead, help=t("links.facility_help")),
    })


def town_health(filters: Filters) -> None:
    """Each town's public-health indicators with ✓/✗ against the target, and how many towns meet it."""
    frame = profiles.town_health(filters)
    if frame.empty:
        widgets.empty_state("profile.empty_towns")
        return
    lang = current_lang()
    catalog = indicator_catalog()
    codes = [code for code in profiles.TOWN_HEALTH if code in set(frame["indicator_code"])]
    towns = frame.drop_duplicates("place_code").sort_values("place_name")
    table = pd.DataFrame({t("level.town"): towns["place_name"].to_numpy()})
    summary = []
    for code in codes:
        rows = frame[frame["indicator_code"] == code].set_index("place_code")
        cells = []
        for town in towns["place_code"]:
            if town not in rows.index:
                cells.append(fmt_value(None, "%"))
                continue
            value, meets = rows.loc[town, "value"], rows.loc[town, "meets"]
            cells.append(marked(fmt_value(value, catalog[code].unit, lang=lang, compact=False), meets))
        table[t(f"profile.town_col.{code}")] = cells
        judged = rows["meets"].dropna()
        if catalog[code].target is not None and len(judged):
            summary.append(t("profile.towns_met", indicator=inert(catalog[code].name(lang)),
                             met=int(judged.astype(bool).sum()), total=len(judged),
                             target=target_text(catalog[code])))
    st.caption(t("profile.towns_caption") + ("" if not summary else " " + _sentence(summary)))
    st.dataframe(presenter.slide_rows(table), hide_index=True, width="stretch")


def elderly_care(filters: Filters) -> None:
    """医养结合: how many towns have elderly-care beds, their beds, residents and occupancy at the period's
    end, the towns without (a reported 0) and those that sent no report, then each town."""
    frame = profiles.elderly_care(filters)
    reported = frame[frame["reported"]]
    if reported.empty:
        widgets.empty_state("eldercare.empty")
        return
    lang = current_lang()
    sep = t("summary.list_sep")
    with_beds, without = reported[reported["beds"] > 0], reported[reported["beds"] == 0]
    beds, residents = int(reported["beds"].sum()), int(reported["residents"].sum())
    st.markdown(t("eldercare.summary", towns=len(reported), covered=len(with_beds), beds=fmt_count(beds),
                  residents=fmt_count(residents),
                  occupancy=fmt_value(residents / beds if beds else None, "%", lang=lang)))
    if len(without):
        st.warning(t("eldercare.without", count=len(without),
                     names=sep.join(inert(str(name)) for name in without["town_name"])), icon=":material/warning:")
    else:
        st.success(t("eldercare.all_covered"), icon=":material/task_alt:")
    missing = frame[~frame["reported"]]
    if len(missing):
        st.caption(t("eldercare.missing", count=len(missing),
                     names=sep.join(inert(str(name)) for name in missing["town_name"])))
    status = [t("eldercare.status_none") if not row.reported
              else t("eldercare.status_without") if row.beds == 0 else t("eldercare.status_with")
              for row in frame.itertuples(index=False)]
    count = [fmt_count(value) if pd.notna(value) else "—" for value in frame["beds"]]
    table = pd.DataFrame({
        t("level.town"): frame["town_name"].to_numpy(),
        t("eldercare.col_status"): status,
        t("eldercare.col_centre"): [fmt_count(v) if pd.notna(v) else "—" for v in frame["centre_beds"]],
        t("eldercare.col_home"): [fmt_count(v) if pd.notna(v) else "—" for v in frame["home_beds"]],
        t("eldercare.col_beds"): count,
        t("eldercare.col_residents"): [fmt_count(v) if pd.notna(v) else "—" for v in frame["residents"]],
        t("eldercare.col_occupancy"): [fmt_value(v if pd.notna(v) else None, "%", lang=lang)
                                       for v in frame["occupancy"]],
        t("eldercare.col_admissions"): [fmt_count(v) if pd.notna(v) else "—" for v in frame["admissions"]],
    })
    st.caption(t("eldercare.caption", period=fmt_period(filters.month_from, filters.month_to, lang=lang)))
    st.dataframe(presenter.slide_rows(table), hide_index=True, width="stretch", height="content")
    downloads.download_row("profile_eldercare", widgets.title_block(t("eldercare.title"), filters), table=table)


def county_facilities(filters: Filters) -> None:
    frame = profiles.facility_ranking(filters)
    if frame.empty:
        widgets.empty_state("profile.empty_facilities")
        return
    lang = current_lang()
    catalog = indicator_catalog()
    facility = t("profile.col_facility")
    table = pd.DataFrame({
        t("profile.col_rank"): range(1, len(frame) + 1),
        facility: links.facility_links(frame["facility_code"], frame["facility_name"], filters),
        t("profile.col_tier"): t_each("tier", frame["tier"]),
    })
    for code in profiles.FACILITY_RANKING:
        table[catalog[code].name(lang)] = [fmt_count(v) for v in frame[code]]
    st.caption(t("profile.facilities_caption", indicator=inert(catalog[profiles.FACILITY_RANKING[0]].name(lang))))
    links.table(table, "profile_facilities", hide_index=True, width="stretch",
                column_config={facility: links.link_column(facility, help=t("links.facility_help"), width="large")})


# ---------------------------------------------------------------------------------------------- facility


def facility_subject(filters: Filters) -> str | None:
    """The facility picker (searchable, URL key ?facility=): the sidebar's facilities plus the current one.
    Returns the chosen facility code, or None."""
    choices = profiles.facility_choices(filters)
    shown = list(choices["facility_code"])
    listed = set(shown)
    asked = [code for code in urlstate.asked(links.FACILITY_KEY) if code not in listed]
    every = pd.concat([choices, profiles.facility_labels(asked)]) if asked else choices
    urlstate.choice(links.FACILITY_KEY, ["", *every["facility_code"]], "")
    subject = st.session_state[links.FACILITY_KEY] or None
    if subject and subject not in shown:
        shown.insert(0, subject)
    tiers = {tier: t(f"tier.{tier}") for tier in every["tier"].unique()}
    # a province lists some 41,000: no per-row lookups of the language
    labels = {code: f"{name} · {county or city} · {tiers[tier]}" for code, name, county, city, tier in zip(
        every["facility_code"], every["facility_name"], every["county_name"], every["city_name"], every["tier"],
        strict=True)}
    placeholder = t("profile.pick_facility_placeholder")
    with st.container(key=presenter.PAGE_PICKER):
        st.selectbox(t("profile.pick_facility"), ["", *shown], key=links.FACILITY_KEY,
                     format_func=lambda code: labels.get(code, placeholder), help=t("profile.pick_facility_help"))
    urlstate.write_choice(links.FACILITY_KEY, "")
    return st.session_state[links.FACILITY_KEY] or None


def facility_title(info: dict | None) -> str:
    """The facility's name alone (the page's name is in the navigation): long names must fit one line."""
    return t("nav.facility_profile") if info is None else t("profile.facility_title", name=info["facility_name"])


def facility_header_line(info: dict, filters: Filters) -> None:
    """Tier, category, grade, beds and where it sits (the county a link to its profile, the only Markdown
    on the line: every name is inert, and the link's address is built from the county's code)."""
    parts = [t(f"tier.{info['tier']}"), t(f"profile.category_{info['category']}"), inert(info["grade"])]
    if info["beds"]:
        parts.append(t("profile.beds", beds=fmt_count(info["beds"])))
    city, county = inert(info["city_name"]), inert(info["county_name"])
    place = f"[{county}]({links.county_profile_url(info['county_code'], filters)})"
    if info.get("town_name"):
        place += inert(info["town_name"])
    parts.append(f"{city} {place}" if info["in_scope"] else f"{city} {county}")
    st.markdown(" · ".join(parts))
    if not info["in_scope"]:
        st.caption(t("profile.outside_scope"))


def facility_headline(code: str, filters: Filters) -> None:
    cards = profiles.facility_kpis(code, filters, profiles.FACILITY_HEADLINE)
    if all(card.value is None for card in cards):
        widgets.empty_state("profile.empty_facility")
        return
    widgets.kpi_grid(cards, filters)


def facility_sections(code: str, info: dict, filters: Filters) -> list[Section]:
    """The facility's sections in screen order; outside the monitored places only the referrals exchanged
    with them are known."""
    in_scope = [
        Section(t("presenter.headline"), lambda: facility_headline(code, filters), heading=False),
        Section(t("profile.volumes"), lambda: facility_volumes(code, filters)),
        Section(t("profile.workforce"), lambda: facility_workforce(code, filters)),
    ] if info["in_scope"] else []
    return [
        *in_scope,
        Section(t("profile.facility_referrals"), lambda: facility_referrals(code, filters)),
        Section(t("profile.facility_alliances"), lambda: facility_alliances(code, filters)),
        # Each a slide of its own: under the memberships they did not fit 1280×720.
        Section(t("profile.help"), lambda: help_table(code, filters), heading=False),
        Section(t("profile.shared"), lambda: shared_table(code, filters), heading=False),
    ]


def county_workforce(filters: Filters) -> None:
    """Staff per 1,000 residents against the targets, the register per tier, the county's pathogen network
    cases, and the facilities whose reports their staff cannot support."""
    cards = profiles.county_workforce_cards(filters)
    tiers = profiles.county_workforce(filters)
    if tiers.empty and all(card.value is None for card in cards):
        widgets.empty_state("profile.empty_workforce")
        return
    lang = current_lang()
    widgets.kpi_grid(cards, filters)
    sent = al.pathogen_by_month(filters)
    if not sent.empty:
        totals = al.pathogen_totals(sent)
        st.markdown(t("profile.pathogen_county", sent=fmt_count(totals["cases_sent"]),
                      rate=fmt_value(totals["identification_rate"], "%", lang=lang),
                      hours=fmt_value(totals["turnaround"], "小时", lang=lang)))
    flagged = al.staff_flags(filters)
    if not flagged.empty:
        names = "、".join(inert(n) for n in flagged["facility_name"]) if lang == "zh" else \
            ", ".join(inert(n) for n in flagged["facility_name"])
        st.markdown(t("profile.staff_flags", count=len(flagged), names=names))


def county_workforce_by_tier(filters: Filters) -> None:
    """The register per tier at the period's end (a slide of its own: under the cards it did not fit)."""
    tiers = profiles.county_workforce(filters)
    if not tiers.empty:
        _chart_title(workforce_by_tier_title(filters))
        table = pd.DataFrame({
            t("alliances.col_tier"): t_each("tier", tiers["tier"]),
            t("profile.col_facilities"): tiers["facilities"].astype("int64"),
            t("alliances.col_physicians"): [fmt_count(v) for v in tiers["physicians"]],
            t("alliances.col_nurses"): [fmt_count(v) for v in tiers["nurses"]],
            t("alliances.col_technicians"): [fmt_count(v) for v in tiers["technicians"]],
            t("alliances.col_village_licensed"): [
                f"{int(lic)}/{int(all_)}" if all_ else fmt_value(None, "%")
                for lic, all_ in zip(tiers["village_doctors_licensed"], tiers["village_doctors"], strict=True)],
        })
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(t("profile.workforce_caption"))


def workforce_by_tier_title(filters: Filters) -> str:
    return t("profile.workforce_by_tier", month=fmt_month(filters.month_to, lang=current_lang()))


def facility_workforce(code: str, filters: Filters) -> None:
    """The facility's staff on the register at the period's end (and a year before), its pathogen-network
    work, and whether what it reports fits its staff."""
    frame = profiles.facility_workforce(code, filters).set_index("side")
    if frame.empty:
        widgets.empty_state("profile.empty_facility_workforce")
        return
    lang = current_lang()
    if "register_end" in frame.index:
        end = frame.loc["register_end"]
        before = frame.loc["register_year_before"] if "register_year_before" in frame.index else None
        roles = ["physicians", "nurses", "technicians", "village_doctors", "village_doctors_licensed"]
        shown = [role for role in roles if role in roles[:3] or end[role] > 0]
        table = pd.DataFrame({
            t("profile.col_staff"): [t(f"profile.staff_{role}") for role in shown],
            fmt_month(filters.month_to, lang=lang): [fmt_count(end[role]) for role in shown],
            t("profile.year_before"): [fmt_count(before[role]) if before is not None else fmt_value(None, "%")
                                      for role in shown],
        })
        st.dataframe(table, hide_index=True, width="content")
        st.caption(t("profile.facility_workforce_caption"))
    for side in ("pathogen_sent", "pathogen_centre"):
        if side in frame.index:
            row = frame.loc[side]
            sent, identified = float(row["cases_sent"]), float(row["cases_identified"])
            st.markdown(t(f"profile.{side}", sent=fmt_count(sent), members=int(row["members"]),
                          rate=fmt_value(identified / sent if sent else None, "%", lang=lang),
                          hours=fmt_value(row["turnaround_hours"] / identified if identified else None, "小时",
                                          lang=lang)))
    flagged = al.staff_flags(profiles.everywhere(filters))
    mine = flagged[flagged["facility_code"] == code]
    if not mine.empty:
        st.markdown(t("profile.facility_staff_flag", months=int(mine["months"].iloc[0])))


def facility_volumes(code: str, filters: Filters) -> None:
    frame = profiles.facility_volumes(code, filters)
    if frame.empty:
        widgets.empty_state("profile.empty_volumes")
        return
    lang = current_lang()
    catalog = indicator_catalog()
    years = {"current": t("profile.this_period"), "previous": t("profile.last_year")}
    columns = st.columns(len(profiles.VOLUMES), gap="large")
    for column, indicator in zip(columns, profiles.VOLUMES, strict=True):
        rows = frame[frame["indicator_code"] == indicator]
        with column:
            _chart_title(catalog[indicator].name(lang))
            if rows.empty:
                widgets.empty_state("profile.empty_volumes")
                continue
            shown = rows.assign(label=rows["year"].map(years),
                                text=[fmt_value(v, catalog[indicator].unit, lang=lang) for v in rows["value"]])
            presenter.altair_chart(charts.monthly_lines(
                shown, x="month", y="value", series="label", text="text",
                colors=charts.series_colors([years["current"], years["previous"]]),
                y_title=catalog[indicator].unit, height=220))


def facility_referrals(code: str, filters: Filters) -> None:
    """Referrals sent and received, by direction and by partner."""
    partners = profiles.referral_partners(code, filters)
    if partners.empty:
        widgets.empty_state("profile.empty_referrals")
        return
    lang = current_lang()
    left, right = st.columns(2, gap="large")
    for column, side in ((left, "sent"), (right, "received")):
        with column:
            _chart_title(t(f"profile.referrals_{side}"))
            rows = partners[partners["side"] == side]
            if rows.empty:
                widgets.empty_state(f"profile.empty_referrals_{side}")
                continue
            by_direction = rows.groupby("direction")["referrals"].sum()
            st.caption(t("summary.clause_sep").join(f"{_direction(d)} {fmt_value(by_direction[d], '人次', lang=lang)}"
                                for d in DIRECTIONS if d in by_direction.index))
            table, config = _partner_table(presenter.slide_rows(rows, 6), filters)
            links.table(table, f"profile_partners_{side}", hide_index=True, width="stretch", column_config=config)


def facility_alliances(code: str, filters: Filters) -> None:
    """The alliances it belongs to and its role, then the help it received (as a member) or gave (as a
    lead), then the shared services it used or provided."""
    frame = profiles.facility_alliances(code, filters)
    if frame.empty:
        widgets.empty_state("profile.empty_membership")
        return
    lang = current_lang()
    name, lead = t("alliances.col_name"), t("alliances.col_lead")
    table = pd.DataFrame({
        name: links.alliance_links(frame["alliance_code"], frame["alliance_name"], filters),
        t("alliances.col_kind"): [t(f"alliances.kind_{k}") for k in frame["kind"]],
        t("alliances.col_integration"): [t(f"alliances.integration_{i}") for i in frame["integration"]],
        t("alliances.col_role"): [t(f"alliances.role_{r}") for r in frame["role"]],
        t("alliances.col_joined"): [fmt_month(m, lang=lang) for m in frame["joined"]],
        lead: links.facility_links(frame["lead_facility"], frame["lead_name"], filters),
        t("alliances.col_members"): frame["members"].astype("int64"),
    })
    links.table(table, "profile_memberships", hide_index=True, width="stretch", column_config={
        name: links.link_column(name, help=t("links.alliance_help"), width="medium"),
        lead: links.link_column(lead, help=t("links.facility_help")),
    })


def help_table(code: str, filters: Filters) -> None:
    """The help it received or gave (a slide of its own: under the memberships it did not fit 1280×720)."""
    if profiles.facility_alliances(code, filters).empty:
        return
    _chart_title(t("profile.help"))
    frame = profiles.alliance_help(code, filters)
    if frame.empty:
        widgets.empty_state("profile.empty_help")
        return
    name = t("alliances.col_name")
    table = pd.DataFrame({
        name: links.alliance_links(frame["alliance_code"], frame["alliance_name"], filters),
        t("profile.col_side"): [t(f"profile.help_{side}") for side in frame["side"]],
        t("profile.col_facilities"): frame["facilities"].astype("int64"),
        t("alliances.col_staff"): frame["staff_sent"].astype("int64"),
    })
    # On a slide the staff by role are left out (their total is there): the table is too wide otherwise.
    for column in al.EVENTS if presenter.slideshow_running() else (*al.STAFF_ROLES, *al.EVENTS):
        key = f"alliances.role_{column}" if column in al.STAFF_ROLES else f"alliances.event_{column}"
        table[t(key)] = frame[column].astype("int64")
    table[t("alliances.col_posted")] = frame["posted_physicians"].astype("int64")
    st.caption(t("profile.help_caption"))
    links.table(table, "profile_help", hide_index=True, width="stretch",
                column_config={name: links.link_column(name, help=t("links.alliance_help"), width="medium")})


def shared_table(code: str, filters: Filters) -> None:
    """The shared services it used or provided (a slide of its own)."""
    if profiles.facility_alliances(code, filters).empty:
        return
    _chart_title(t("profile.shared"))
    frame = profiles.shared_services(code, filters)
    if frame.empty:
        widgets.empty_state("profile.empty_shared")
        return
    lang = current_lang()
    catalog = indicator_catalog()
    name = t("alliances.col_name")
    rates = {}
    for indicator, (numerator, denominator) in al.QUALITY_COUNTS.items():
        rates[catalog[indicator].name(lang)] = [
            fmt_value(n / d, "%", lang=lang) if s == "imaging" and d > 0 else fmt_value(None, "%")
            for s, n, d in zip(frame["service"], frame[numerator], frame[denominator], strict=True)
        ]
    table = pd.DataFrame({
        name: links.alliance_links(frame["alliance_code"], frame["alliance_name"], filters),
        t("profile.col_side"): [t(f"profile.shared_{side}") for side in frame["side"]],
        t("profile.col_service"): [t(f"alliances.service_{s}") for s in frame["service"]],
        t("profile.col_facilities"): frame["facilities"].astype("int64"),
        t("profile.col_cases"): [fmt_count(v) for v in frame["remote_cases"]],
    } | rates)
    marks = []
    for indicator in al.QUALITY:
        imaging = frame[frame["service"] == "imaging"]
        numerator, denominator = al.QUALITY_COUNTS[indicator]
        total = imaging[denominator].sum()
        if total > 0:
            value = imaging[numerator].sum() / total
            met = meets_target(catalog[indicator], value)
            marks.append(marked(f"{inert(catalog[indicator].name(lang))} {fmt_value(value, '%', lang=lang)}", met)
                         + f"（{target_text(catalog[indicator])}）")
    st.caption(t("profile.shared_caption") + ("" if not marks else " " + _sentence(marks)))
    links.table(table, "profile_shared", hide_index=True, width="stretch",
                column_config={name: links.link_column(name, help=t("links.alliance_help"), width="medium")})
