"""运行简报 on a page and in exports: gathers the figures for a selection and words them.

The figures come from the queries the charts beside the text use — kpi.headline for the headline cards
and the volumes, kpi.by_place for the ranking and the attention table, out_of_county_destinations for
where patients leave to — so the paragraph and the cards never disagree. The wording rules are in
healthdash.reports.summary_rules (pure). The Overview shows `gather`'s sentences; exports call
`summary_text(filters, lang)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from healthdash.core.filters import TIERS, Filters
from healthdash.core.i18n import current_lang
from healthdash.data.db import run_query
from healthdash.data.kpi import applicable, by_place, headline, indicator_catalog, targeted_by_level
from healthdash.data.quality import reporting
from healthdash.domains.alliances import data as alliances
from healthdash.domains.appraisal import data as appraisal
from healthdash.domains.overview.data import HEADLINE
from healthdash.domains.profiles import data as profiles
from healthdash.domains.public_health import data as public_health
from healthdash.domains.quality import data as quality
from healthdash.reports import summary_rules as rules
from healthdash.reports.summary_rules import (
    Appraisal,
    BelowTarget,
    Destination,
    Figure,
    Period,
    Place,
    Relapse,
    Reporting,
    SummaryFigures,
    Workforce,
)
from healthdash.ui.sidebar import filter_options

# The summary speaks about the Overview's cards it sits above.
DEFAULT_CODES: tuple[str, ...] = tuple(HEADLINE)


def place_of(filters: Filters) -> Place:
    options = filter_options()
    if filters.town:
        name: str | None = options.towns[filters.town][0]
    elif filters.county:
        name = options.counties[filters.county][0]
    elif filters.city:
        name = options.cities[filters.city]
    else:
        name = None
    alliance = options.alliances[filters.alliance][0] if filters.alliance else None
    all_tiers = not filters.tiers or set(filters.tiers) >= set(TIERS)
    return Place(name=name, level=filters.level, alliance=alliance, tiers=() if all_tiers else tuple(filters.tiers))


def below_target(filters: Filters, codes: Sequence[str]) -> tuple[BelowTarget, ...] | None:
    """Per indicator with a target, the places one level down that miss it, largest gap first.

    Indicators are grouped by kpi.targeted_by_level. None when no indicator has places one level down.
    """
    catalog = indicator_catalog()
    by_level = targeted_by_level(filters, codes)
    if not by_level:
        return None
    result = []
    for level, level_codes in by_level.items():
        frame = by_place(filters, level_codes, level)
        for code in level_codes:
            rows = frame[(frame["indicator_code"] == code) & frame["meets"].eq(False)] if not frame.empty else frame
            if len(rows):
                # Worst first: the largest shortfall relative to the target, whichever way the target points.
                rows = rows.assign(relative=(rows["gap"] / rows["target"]).abs()).sort_values(
                    ["relative", "place_name"], ascending=[False, True])
            places = tuple(str(name) for name in rows["place_name"]) if len(rows) else ()
            result.append(BelowTarget(catalog[code], level, places))
    return tuple(result)


def destinations(filters: Filters) -> tuple[Destination, ...]:
    frame = run_query("out_of_county_destinations", **filters.sql_params())
    return tuple(Destination(str(row.facility_name), float(row.referrals)) for row in frame.itertuples(index=False))


def reporting_of(filters: Filters) -> Reporting:
    """The reports the selection's figures rest on (the same cached query as the badge under the header)."""
    totals = quality.totals(filters)
    overall = totals[totals["dataset"].isna()]
    cover = reporting.coverage(totals)
    missing = int(overall["reports_missing"].iloc[0]) if len(overall) else 0
    return Reporting(cover.reporting_rate, missing, cover.units_missing)


def appraisal_of(filters: Filters, lang: str) -> Appraisal | None:
    """The selected county's score and rank among its city's counties under the active scheme, for the year
    the period ends in; None unless a county (no town, no alliance) is selected and the active scheme scores."""
    if not filters.county or filters.town or filters.alliance:
        return None
    active = appraisal.active_scheme()
    if active is None or not active.offered.scheme.scored:
        return None
    place = appraisal.counties(filters)
    if place.empty:
        return None
    year = filters.month_to.year
    peers = Filters(date(year, 1, 1), date(year, 12, 1), city=str(place["city_code"].iloc[0]))
    ranking = appraisal.ranking(active.offered.scheme, appraisal.figures(peers, year), lang)
    row = ranking[ranking["county_code"] == filters.county] if len(ranking) else ranking
    if row.empty:
        return None
    return Appraisal(active.offered.scheme.label(lang), year, str(row["county"].iloc[0]),
                     float(row["total"].iloc[0]), int(row["rank"].iloc[0]), len(ranking))


def relapse_of(filters: Filters) -> Relapse:
    """The poverty-relapse figures with a target (public-health page) and the towns reporting no elderly-care
    beds at the period's end (county profile), for the briefing's sentence when either is notable."""
    catalog = indicator_catalog()
    codes, _ = applicable(filters, [c for c in public_health.POVERTY if catalog[c].target is not None])
    figures = tuple(Figure(k.indicator, k.value, k.base) for k in headline(filters, codes)) if codes else ()
    towns = profiles.elderly_care(filters)
    reported = towns[towns["reported"]]
    without = tuple(str(name) for name in reported.loc[reported["beds"].eq(0), "town_name"])
    return Relapse(figures, without, len(reported))


def workforce_of(filters: Filters) -> Workforce:
    """Physicians per 1,000 (where it applies), the facilities flagged for reports their staff cannot support,
    and the pathogen network's cases of the selection."""
    codes, _ = applicable(filters, ["physicians_per_1000"])
    physicians = next((Figure(k.indicator, k.value, k.base) for k in headline(filters, codes)), None)
    pathogen = alliances.pathogen_totals(alliances.pathogen_by_month(filters))
    return Workforce(physicians, len(alliances.staff_flags(filters)), pathogen["cases_sent"],
                     pathogen["identification_rate"], pathogen["turnaround"])


def gather(filters: Filters, codes: Sequence[str] = DEFAULT_CODES, lang: str | None = None) -> SummaryFigures:
    """Every figure the summary of `filters` mentions (of `codes`, those that apply to the selection)."""
    codes, _ = applicable(filters, list(codes))
    volumes = tuple(Figure(k.indicator, k.value, k.base) for k in headline(filters, list(rules.VOLUMES)))
    indicators = tuple(Figure(k.indicator, k.value, k.base) for k in headline(filters, codes))
    return SummaryFigures(
        place=place_of(filters),
        period=Period(filters.month_from, filters.month_to, filters.compare),
        volumes=volumes,
        indicators=indicators,
        below_target=below_target(filters, codes),
        destinations=destinations(filters),
        reporting=reporting_of(filters),
        appraisal=appraisal_of(filters, lang or current_lang()),
        relapse=relapse_of(filters),
        workforce=workforce_of(filters),
    )


def summary_text(filters: Filters, lang: str | None = None, codes: Sequence[str] = DEFAULT_CODES) -> str:
    """The briefing paragraph for a selection ('zh' or 'en'; the interface language by default)."""
    lang = lang or current_lang()
    return rules.compose(gather(filters, codes, lang), lang)
