"""The sidebar every page shares: the selection widgets, kept in the URL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from healthdash.core.filters import (
    COMPARISONS,
    FIXED_PERIODS,
    PERIOD_PRESETS,
    TIERS,
    URL_KEYS,
    FilterOptions,
    Filters,
    as_date,
    default_filters,
    fixed_range,
    narrow,
    parse_query,
    period_start,
    period_starts,
    preset_range,
)
from healthdash.core.fmt import fmt_month, fmt_period, fmt_quarter, fmt_year
from healthdash.core.i18n import LANG_KEY, LANGUAGES, current_lang, t
from healthdash.core.markup import inert
from healthdash.data.db import per_database, run_query
from healthdash.ui import account, urlstate

_STATE = "_flt_state"
_PAGE = "_flt_page"  # the page the filters were last drawn on (note_page)
_SWITCHED = "_flt_switched"
_DROPPED = "_flt_dropped"
_PENDING = "_flt_pending"
_NARROWINGS = "_flt_narrowings"  # how many times narrow_to ran in this session (click_key)
_DRAWN_IN = "_flt_drawn_in"  # the language of the last run
_WIDGETS = ("city", "county", "town", "alliance", "tiers", "period", "fixed", "from", "to", "cmp")
KEY = {name: f"flt_{name}" for name in _WIDGETS}
# Drawn on every run; the month selects of a fixed or custom period only while that period is chosen.
_ALWAYS_DRAWN = tuple(KEY[name] for name in ("city", "county", "town", "alliance", "tiers", "period", "cmp"))
_PERIOD_NAMES = {"year": fmt_year, "quarter_of": fmt_quarter, "month_of": fmt_month}


@per_database
def filter_options() -> FilterOptions:
    regions = run_query("filter_regions")
    alliances = run_query("filter_alliances")
    months = run_query("data_months").iloc[0]
    by_level = {level: regions[regions["level"] == level] for level in ("city", "county", "town")}
    return FilterOptions(
        cities=dict(zip(by_level["city"]["code"], by_level["city"]["name"], strict=True)),
        counties={r.code: (r.name, r.parent_code) for r in by_level["county"].itertuples()},
        towns={r.code: (r.name, r.parent_code) for r in by_level["town"].itertuples()},
        alliances={r.code: (r.name, r.home_region) for r in alliances.itertuples()},
        first_month=as_date(months["first_month"]),
        last_month=as_date(months["last_month"]),
    )


def language_switch() -> str:
    """Language picker (kept in the URL as ?lang=en); call before anything is labelled."""
    urlstate.choice(LANG_KEY, list(LANGUAGES), "zh")
    lang = current_lang()
    changed = st.session_state.get(_DRAWN_IN, lang) != lang
    st.session_state[_DRAWN_IN] = lang
    st.session_state[urlstate.RELABEL] = changed
    if changed:  # see urlstate.RELABEL: the filters' choices are shown again, in the new language
        for key in KEY.values():
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
    return lang


def render_language_widget() -> None:
    st.sidebar.selectbox(
        t("filters.language"), list(LANGUAGES), key=LANG_KEY, format_func=LANGUAGES.__getitem__
    )
    urlstate.write_choice(LANG_KEY, "zh")


def _seed(filters: Filters) -> None:
    st.session_state[KEY["city"]] = filters.city
    st.session_state[KEY["county"]] = filters.county
    st.session_state[KEY["town"]] = filters.town
    st.session_state[KEY["alliance"]] = filters.alliance
    st.session_state[KEY["tiers"]] = [] if set(filters.tiers) == set(TIERS) else list(filters.tiers)
    st.session_state[KEY["period"]] = filters.period
    st.session_state[KEY["fixed"]] = filters.month_from
    st.session_state[KEY["from"]] = filters.month_from
    st.session_state[KEY["to"]] = filters.month_to
    st.session_state[KEY["cmp"]] = filters.compare


def note_page(url_path: str) -> None:
    """Tell the filters which page is about to run (app.py, before it runs the page). Each page draws the
    filters as its own widgets, which Streamlit starts afresh on a page switch (the first choice of each
    select), while the switch also clears the URL: after a switch the last selection is put back."""
    if st.session_state.get(_PAGE, url_path) != url_path:
        st.session_state[_SWITCHED] = True
    st.session_state[_PAGE] = url_path


def _keep_valid(key: str, allowed: list, fallback: str | None = None) -> None:
    if st.session_state.get(key) not in allowed:
        st.session_state[key] = fallback


def sidebar_filters() -> Filters:
    """Render the shared filters in the sidebar and return the selection."""
    visible = account.viewer().visible  # the gate first: every option below is read within the jurisdiction
    options = filter_options()
    # An account below the province starts from, and cannot leave, its own city, county or alliance.
    floor_city, floor_county, floor_alliance = (None, None, None) if visible.everything \
        else visible.default_selection()

    def floored(filters: Filters) -> Filters:
        if floor_alliance:
            return replace(filters, city=None, county=None, town=None, alliance=floor_alliance)
        if floor_county and filters.county != floor_county:
            return replace(filters, city=floor_city, county=floor_county, town=None)
        return replace(filters, city=floor_city) if floor_city and filters.city != floor_city else filters

    outside = urlstate.changed_from_outside(URL_KEYS)
    if outside is not None:
        parsed = parse_query(outside, options)
        _seed(floored(parsed.filters))
        st.session_state[_DROPPED] = (parsed.dropped, floored(parsed.filters))
    elif _STATE not in st.session_state:
        _seed(floored(default_filters(options)))
    elif st.session_state.pop(_SWITCHED, False) or any(key not in st.session_state for key in _ALWAYS_DRAWN):
        _seed(st.session_state[_STATE])
    pending = st.session_state.pop(_PENDING, None)
    if pending is not None and outside is None:
        narrowed = narrow(st.session_state.get(_STATE) or default_filters(options), options, *pending)
        if narrowed is not None:
            _seed(narrowed)

    lang = current_lang()
    side = st.sidebar
    side.header(t("filters.header"))

    def region_name(code: str | None, names: dict) -> str:
        return t("filters.all") if code is None else names[code]

    city_names = dict(options.cities)
    city_choices = [floor_city] if floor_city else [None] if floor_alliance else [None, *city_names]
    _keep_valid(KEY["city"], city_choices, floor_city)
    side.selectbox(
        t("filters.city"), city_choices, key=KEY["city"],
        format_func=lambda c: t("filters.all_cities") if c is None else city_names[c],
        placeholder=t("filters.all_cities"), disabled=len(city_choices) == 1,
    )
    city = st.session_state[KEY["city"]]

    county_names = {code: options.counties[code][0] for code in options.counties_of(city)}
    county_choices = [floor_county] if floor_county else [None, *county_names]
    _keep_valid(KEY["county"], county_choices, floor_county)
    side.selectbox(
        t("filters.county"), county_choices, key=KEY["county"],
        format_func=lambda c: region_name(c, county_names), disabled=city is None or len(county_choices) == 1,
        placeholder=t("filters.all"),
    )
    county = st.session_state[KEY["county"]]

    town_names = {code: options.towns[code][0] for code in options.towns_of(county)}
    _keep_valid(KEY["town"], [None, *town_names])
    side.selectbox(
        t("filters.town"), [None, *town_names], key=KEY["town"],
        format_func=lambda c: region_name(c, town_names), disabled=county is None,
        placeholder=t("filters.all"),
    )

    alliance_names = {code: options.alliances[code][0] for code in options.alliances_in(city, county)}
    alliance_choices = [floor_alliance] if floor_alliance else [None, *alliance_names]
    _keep_valid(KEY["alliance"], alliance_choices, floor_alliance)
    side.selectbox(
        t("filters.alliance"), alliance_choices, key=KEY["alliance"],
        format_func=lambda c: region_name(c, alliance_names), placeholder=t("filters.all"),
        disabled=len(alliance_choices) == 1 and floor_alliance is not None,
    )

    side.multiselect(
        t("filters.tiers"), list(TIERS), key=KEY["tiers"], format_func=lambda tier: t(f"tier.{tier}"),
        placeholder=t("filters.all"), help=t("filters.tiers_all_hint"),
    )

    side.selectbox(
        t("filters.period"), list(PERIOD_PRESETS), key=KEY["period"], format_func=lambda p: t(f"period.{p}")
    )
    period = st.session_state[KEY["period"]]
    # A newly chosen year, quarter or custom range starts from the months shown until now.
    shown = st.session_state.get(_STATE) or default_filters(options)
    if period in FIXED_PERIODS:
        month_from, month_to = _fixed_period(period, options, shown.month_to, lang)
    elif period == "custom":
        month_from, month_to = _custom_period(options, shown, lang)
    else:
        month_from, month_to = preset_range(period, options.last_month)

    side.radio(
        t("filters.compare"), list(COMPARISONS), key=KEY["cmp"], horizontal=True,
        format_func=lambda c: t(f"compare.{c}"),
    )

    filters = Filters(
        month_from=month_from,
        month_to=month_to,
        city=city,
        county=county,
        town=st.session_state[KEY["town"]],
        alliance=st.session_state[KEY["alliance"]],
        tiers=tuple(st.session_state[KEY["tiers"]]) or TIERS,
        period=period,
        compare=st.session_state[KEY["cmp"]],
    )
    base_from, base_to = filters.base_period()
    side.caption(
        f"{fmt_period(month_from, month_to, lang=lang)} · "
        + t("compare.base", period=fmt_period(base_from, base_to, lang=lang))
    )
    _show_dropped(filters)
    st.session_state[_STATE] = filters
    urlstate.write(URL_KEYS, filters.to_query())
    return filters


def _fixed_period(kind: str, options: FilterOptions, anchor: date, lang: str) -> tuple[date, date]:
    """The select of a year, quarter or month (latest first); its first month is the widget's value."""
    starts = period_starts(kind, options)
    current = st.session_state.get(KEY["fixed"])
    if current not in starts:  # another kind was chosen: the year, quarter or month holding it
        month = current if isinstance(current, date) else anchor
        start = period_start(kind, month)
        st.session_state[KEY["fixed"]] = start if start in starts else starts[0]
    name = _PERIOD_NAMES[kind]
    st.sidebar.selectbox(
        t(f"filters.{kind.removesuffix('_of')}"), starts, key=KEY["fixed"], format_func=lambda m: name(m, lang=lang)
    )
    return fixed_range(kind, st.session_state[KEY["fixed"]], options)


def _custom_period(options: FilterOptions, shown: Filters, lang: str) -> tuple[date, date]:
    """Two month selects, from and to (latest first); a `to` before the `from` chosen moves up to it."""
    months = options.months()[::-1]
    for key, fallback in ((KEY["from"], shown.month_from), (KEY["to"], shown.month_to)):
        if st.session_state.get(key) not in months:
            st.session_state[key] = min(max(fallback, options.first_month), options.last_month)
    st.sidebar.selectbox(t("filters.from"), months, key=KEY["from"], format_func=lambda m: fmt_month(m, lang=lang))
    month_from = st.session_state[KEY["from"]]
    if st.session_state[KEY["to"]] < month_from:
        st.session_state[KEY["to"]] = month_from
    st.sidebar.selectbox(
        t("filters.to"), [m for m in months if m >= month_from], key=KEY["to"],
        format_func=lambda m: fmt_month(m, lang=lang),
    )
    return month_from, st.session_state[KEY["to"]]


def narrow_to(level: str, code: str | None) -> None:
    """Narrow the shared selection to one place — a city, county or town clicked in a chart, or "all"
    places from the breadcrumb — and rerun,
    so that the sidebar, the URL and every view follow. Works from anywhere in a page (the sidebar's
    widgets cannot be changed once drawn, so the request waits for the rerun); an unknown code is ignored.
    """
    st.session_state[_PENDING] = (level, code)
    st.session_state[_NARROWINGS] = st.session_state.get(_NARROWINGS, 0) + 1
    st.rerun()


def click_key(filters: Filters, *parts: object) -> str:
    """The key of a chart or table whose click narrows the selection (narrow_to). The place and the number of
    narrowings so far are in it: the widget after a drill-down starts without a selection, and a click made
    before one never acts again, even when Back reran the page before the drill-down's run had finished
    (Streamlit forgets the state of a widget a run did not draw only when that run ends)."""
    return "_".join(str(part) for part in (*parts, filters.place or "all", st.session_state.get(_NARROWINGS, 0)))


def _show_dropped(filters: Filters) -> None:
    """Say which link values were ignored, for as long as the view they produced is on screen."""
    dropped, produced = st.session_state.get(_DROPPED, ([], None))
    if dropped and produced == filters:
        listing = "；".join(f"{key}={inert(value)}" for key, value in dropped)
        st.sidebar.warning(f"{t('filters.dropped')} {listing}", icon=":material/link_off:")
