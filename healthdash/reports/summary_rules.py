"""运行简报: the paragraph officials write before a meeting, composed from figures by fixed rules.

"2024年1–6月，名山区医疗卫生机构门诊48.9万人次，同比增长7.0%；住院2.9万人次，同比增长11.3%。"

Pure: the input is plain data (the dataclasses below, filled by healthdash.reports.summary from the same
queries as the charts), the output is text. No database, no Streamlit session, no language model: the
same figures always give the same words, and every branch of every rule is tested on hand-made figures.
Wording lives in the [summary] section of the locale catalogs; numbers go through healthdash.core.fmt.

The rules, in the order the sentences appear:
1. volumes: outpatient visits and inpatient discharges with their 同比/环比 — 增长 / 下降 / 持平 (the change
   rounds to 0.0%), or "上年同期为0" / "上期为0" when the comparison period had none;
2. targets: how many headline indicators with a target are met, then each one with its value, the target
   and by how much it is above or short (个百分点 for rates); indicators without a target (still judged by
   their direction: 未设目标), monitoring-only indicators (仅作监测) and indicators without data (暂无数据: no report, which a
   reported zero never is) are named in sentences of their own;
3. change: the indicator that improved most and the one that worsened most against the comparison
   period, ranked by relative change |value − base| / |base| so that rates and counts compare; a change
   that rounds to nothing counts as unchanged; monitoring-only indicators are never ranked; everything
   without data in the comparison period is named once, in one sentence;
4. below target: for each indicator, how many places one level down miss the target, worst first;
5. out-of-county destinations: the receiving hospitals of most out-of-county referrals and their share,
   or 无县外转诊 when the count reported is zero (nothing when there is no report);
6. 防止因病返贫 and 医养结合, only when notable: poverty-relapse figures short of their target, towns that
   report no elderly-care beds;
7. missing reports (the figures above count only what came in); 8. the county's appraisal rank.

A count is named once with its unit once: "县外转诊255人次", never "县外转诊人次255人次".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from healthdash.core import indicators as ind
from healthdash.core.filters import add_months, months_between
from healthdash.core.fmt import fmt_change, fmt_count, fmt_delta, fmt_period, fmt_target, fmt_value
from healthdash.core.i18n import t
from healthdash.core.indicators import Indicator
from healthdash.core.wording import delta_text, gap_text, target_amount, zero_base_text

VOLUMES: tuple[str, ...] = ("outpatient_visits", "inpatient_discharges")
OUT_OF_COUNTY = "out_of_county_referrals"
MAX_PLACES = 3
MAX_DESTINATIONS = 3

# "名山区全区 / 鹿寨县全县 / 百丈镇全镇": a place's whole, from its name's last word; a 街道 (and any other
# name) is named alone, since "全街道" is not said.
_COLLECTIVE_SUFFIXES = ("区", "县", "市", "镇", "乡")


@dataclass(frozen=True)
class Place:
    """What the selection covers: the narrowest place, an alliance and a tier restriction."""

    name: str | None  # None for everything ("全部地市")
    level: str  # 'all' | 'city' | 'county' | 'town'
    alliance: str | None = None
    tiers: tuple[str, ...] = ()  # tier codes when restricted, empty for all tiers


@dataclass(frozen=True)
class Period:
    month_from: date
    month_to: date
    compare: str  # 'yoy' | 'mom'

    def base(self) -> tuple[date, date]:
        """Same rule as Filters.base_period: a year earlier, or the months just before."""
        if self.compare == "yoy":
            return add_months(self.month_from, -12), add_months(self.month_to, -12)
        length = months_between(self.month_from, self.month_to)
        return add_months(self.month_from, -length), add_months(self.month_from, -1)


@dataclass(frozen=True)
class Figure:
    """One indicator over the selection: its value and its value in the comparison period."""

    indicator: Indicator
    value: float | None
    base: float | None


@dataclass(frozen=True)
class BelowTarget:
    """Places one level down where an indicator misses its target, worst first."""

    indicator: Indicator
    level: str  # 'city' | 'county' | 'town' | 'facility'
    places: tuple[str, ...]


@dataclass(frozen=True)
class Destination:
    name: str
    referrals: float


@dataclass(frozen=True)
class Reporting:
    """The monthly reports the period's figures rest on (the quality engine's totals): the reporting rate,
    the reports missing and how many facilities or units owe them."""

    reporting_rate: float | None
    reports_missing: int
    units_missing: int


@dataclass(frozen=True)
class Appraisal:
    """The selected county's place under the active appraisal scheme (监测与考核) for a year: its total and
    its rank among the counties of its city (`of` of them)."""

    scheme: str
    year: int
    county: str
    score: float
    rank: int
    of: int


@dataclass(frozen=True)
class Relapse:
    """防止因病返贫 and 医养结合 (issue 26): the judged poverty-relapse figures of the selection, and the towns
    that reported no elderly-care beds at the period's end (names, in the place order) of those reporting."""

    figures: tuple[Figure, ...]
    towns_without: tuple[str, ...] = ()
    towns_reporting: int = 0


@dataclass(frozen=True)
class Workforce:
    """Staff on the licensing registers and the pathogen network for the selection (issue 26): physicians
    per 1,000 residents (None where it does not apply), the facilities whose reports their staff on record
    cannot support, and the network's cases sent, identification rate and mean turnaround (hours)."""

    physicians: Figure | None
    flagged: int
    pathogen_sent: float = 0.0
    pathogen_rate: float | None = None
    pathogen_hours: float | None = None


@dataclass(frozen=True)
class SummaryFigures:
    place: Place
    period: Period
    volumes: tuple[Figure, ...]  # outpatient_visits, inpatient_discharges
    indicators: tuple[Figure, ...]  # the headline indicators, in display order
    below_target: tuple[BelowTarget, ...] | None = None  # None: no places one level down to compare
    destinations: tuple[Destination, ...] | None = None  # None: not gathered
    reporting: Reporting | None = None  # None: not gathered
    appraisal: Appraisal | None = None  # None: no county selected, no scheme active, or it does not score
    relapse: Relapse | None = None  # None: not gathered
    workforce: Workforce | None = None  # None: not gathered

    @property
    def has_data(self) -> bool:
        return any(f.value is not None for f in (*self.volumes, *self.indicators))


# ---------------------------------------------------------------------------------------------- words


def _s(key: str, lang: str, **values: object) -> str:
    return t(f"summary.{key}", lang=lang, **values)


def place_name(place: Place, lang: str) -> str:
    """The place as the first sentence names it: '名山区', '全部地市' at the top, the alliance's name
    for an alliance that the place adds nothing to ('名山区医共体' rather than '名山区名山区医共体')."""
    if _alliance_alone(place):
        return str(place.alliance)
    return place.name if place.name else _s("all_places", lang)


def _alliance_alone(place: Place) -> bool:
    return bool(place.alliance) and (not place.name or place.name in str(place.alliance))


def collective(place: Place, lang: str) -> str:
    """The whole selection as later sentences name it: '名山区全区', '鹿寨县全县', '自贡市全市', '百丈镇全镇',
    '蒙阳街道'; the tiers when restricted ('名山区乡镇卫生院'); the name itself in English."""
    if place.alliance:
        return _s("alliance_collective", lang)
    if place.tiers:
        return _s("tiers_collective", lang, place=place.name or _s("all_places", lang), subject=subject(place, lang))
    if not place.name:
        return _s("all_places", lang)
    if lang == "en":
        return place.name
    for suffix in _COLLECTIVE_SUFFIXES:
        if place.name.endswith(suffix) and len(place.name) > len(suffix):
            return f"{place.name}全{suffix}"
    return place.name


def subject(place: Place, lang: str) -> str:
    """Whose volumes: '医疗卫生机构', the alliance's members, or the selected tiers."""
    if place.alliance:
        return _s("members", lang, alliance=place.alliance)
    if place.tiers:
        return _s("list_sep", lang).join(t(f"tier.{tier}", lang=lang) for tier in place.tiers)
    return _s("facilities", lang)


def compare_word(period: Period, lang: str) -> str:
    return _s(f"compare_{period.compare}", lang)


def base_text(period: Period, lang: str) -> str:
    return fmt_period(*period.base(), lang=lang)


def _end(text: str, lang: str) -> str:
    """Close a sentence; English sentences start with a capital (names inside stay lower case)."""
    if lang == "en":
        return text[:1].upper() + text[1:] + "."
    return text + "。"


def name_of(indicator: Indicator, lang: str) -> str:
    """The indicator's name as it reads inside a sentence."""
    return indicator.name_en if lang == "en" else indicator.name_zh


def named_value(indicator: Indicator, value: float, lang: str) -> str:
    """An indicator and its value: '县域内就诊率87.0%', and for a count the measure once and the unit once:
    '县外转诊255人次' (not '县外转诊人次255人次'), '专家坐诊12次', '上派进修100人', '婚前检查449对'."""
    amount = fmt_value(value, indicator.unit, lang=lang)
    name = name_of(indicator, lang)
    if lang == "en":
        return f"{name} {amount}"
    unit = indicator.unit.strip()
    if unit and unit not in ("%", "ratio") and amount.endswith(unit):
        for suffix in (unit + "数", unit, "数"):
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)] + amount
    return name + amount


# ---------------------------------------------------------------------------------------------- 1 volumes


def growth_text(value: float, base: float | None, period: Period, lang: str) -> str | None:
    """'同比增长7.0%', '同比下降3.1%', '同比持平', '上年同期为0'; None without a comparison base (that is said
    once for everything, in `no_base_sentence`)."""
    if base is None:
        return None
    if base == 0:
        return zero_base_text(period.compare, lang)
    compare = compare_word(period, lang)
    growth = (value - base) / base
    amount = fmt_change(abs(growth)).lstrip("+")
    if amount == fmt_change(0):
        return _s("flat", lang, compare=compare)
    return _s("up" if growth > 0 else "down", lang, compare=compare, pct=amount)


def volume_sentence(figures: SummaryFigures, lang: str) -> str:
    period, place = figures.period, figures.place
    lead = _s("volume_lead_alliance" if _alliance_alone(place) else "volume_lead", lang,
              period=fmt_period(period.month_from, period.month_to, lang=lang),
              place=place_name(place, lang), subject=subject(place, lang))
    if all(v.value is None for v in figures.volumes):
        return _end(lead + _s("volume_none", lang), lang)
    clauses, changed = [], False
    for volume in figures.volumes:
        key = volume.indicator.code
        if volume.value is None:
            clauses.append(_s("volume_missing", lang, item=_s(f"item_{key}", lang)))
            continue
        amount = _s(f"volume_{key}", lang, value=fmt_value(volume.value, volume.indicator.unit, lang=lang))
        change = growth_text(volume.value, volume.base, period, lang)
        changed = changed or change is not None
        clauses.append(amount if change is None else _s("item_change", lang, item=amount, change=change))
    # Amounts alone read as one list ("门诊…，住院…"); with their changes, as clauses.
    return _end(lead + _s("clause_sep" if changed else "amount_sep", lang).join(clauses), lang)


# ---------------------------------------------------------------------------------------------- 2 targets


def _rounds_to_zero(indicator: Indicator, gap: float, lang: str) -> bool:
    return gap_text(indicator, gap, lang) == gap_text(indicator, 0.0, lang)


def target_clause(figure: Figure, lang: str) -> str:
    """'县域内就诊率95.0%，达到90%的目标，高出5.0个百分点' and its three siblings."""
    indicator = figure.indicator
    meets = ind.meets_target(indicator, figure.value)
    gap = figure.value - indicator.target_value
    values = {
        "named": named_value(indicator, figure.value, lang),
        "target": target_amount(indicator, lang),
        "gap": gap_text(indicator, gap, lang),
    }
    side = "down" if indicator.direction == "down" else "up"
    if meets:
        exact = _rounds_to_zero(indicator, gap, lang)
        return _s(f"met_{side}" if exact else f"met_{side}_gap", lang, **values)
    return _s(f"missed_{side}", lang, **values)


def target_sentences(figures: SummaryFigures, lang: str) -> list[str]:
    with_data = [f for f in figures.indicators if f.value is not None]
    targeted = [f for f in with_data if f.indicator.target is not None]
    untargeted = [f for f in with_data if f.indicator.target is None and f.indicator.direction != "monitor"]
    monitored = [f for f in with_data if f.indicator.target is None and f.indicator.direction == "monitor"]
    missing = [f for f in figures.indicators if f.value is None]
    sep = _s("list_sep", lang)
    sentences = []
    if targeted:
        met = sum(1 for f in targeted if ind.meets_target(f.indicator, f.value))
        key = "targets_all_met" if met == len(targeted) else "targets_none_met" if met == 0 else "targets_count"
        count = _s(key, lang, collective=collective(figures.place, lang), total=len(targeted), met=met,
                   missed=len(targeted) - met)
        details = _s("clause_sep", lang).join(target_clause(f, lang) for f in targeted)
        sentences += [_end(count, lang), _end(details, lang)]
    for key, group in (("no_target", untargeted), ("monitor_only", monitored)):
        if group:
            items = sep.join(named_value(f.indicator, f.value, lang) for f in group)
            sentences.append(_end(_s(key, lang, items=items), lang))
    if missing:
        names = sep.join(name_of(f.indicator, lang) for f in missing)
        sentences.append(_end(_s("no_data", lang, names=names), lang))
    return sentences


# ---------------------------------------------------------------------------------------------- 3 change


def _unchanged(indicator: Indicator, value: float, base: float, lang: str) -> bool:
    """True when the change prints as nothing (+0.0个百分点); a count that grew from zero changed."""
    delta = ind.change(indicator, value, base)
    if delta is None:
        return value == base
    kind = ind.change_kind(indicator)
    return fmt_delta(delta, kind, lang=lang).lstrip("+−") == fmt_delta(0, kind, lang=lang)


def relative_change(value: float, base: float) -> float:
    """|value − base| / |base|: comparable across rates and counts; a change from zero ranks first."""
    if base == 0:
        return float("inf") if value != 0 else 0.0
    return abs(value - base) / abs(base)


def movers(figures: SummaryFigures, lang: str) -> tuple[Figure | None, Figure | None, int]:
    """(most improved, most worsened, how many indicators with a direction had a comparison base):
    a monitoring-only indicator is never better or worse, so it is never ranked."""
    compared = [f for f in figures.indicators
                if f.value is not None and f.base is not None and f.indicator.direction != "monitor"]
    best = worst = None
    best_size = worst_size = -1.0
    for figure in compared:
        indicator = figure.indicator
        if _unchanged(indicator, figure.value, figure.base, lang):
            continue
        # A count that grew from zero has no growth rate, but its direction still says better or worse.
        delta = ind.change(indicator, figure.value, figure.base)
        improved = ind.is_improvement(indicator, figure.value - figure.base if delta is None else delta)
        size = relative_change(figure.value, figure.base)
        if improved and size > best_size:
            best, best_size = figure, size
        elif improved is False and size > worst_size:
            worst, worst_size = figure, size
    return best, worst, len(compared)


def change_sentence(figures: SummaryFigures, lang: str) -> str | None:
    """The most improved and most worsened indicator; None when none with a direction has a comparison base."""
    period = figures.period
    best, worst, compared = movers(figures, lang)
    values = {"compare": compare_word(period, lang), "base": base_text(period, lang)}
    if compared == 0:
        return None

    def item(figure: Figure) -> str:
        return _s("change_item", lang, name=name_of(figure.indicator, lang),
                  delta=delta_text(figure.indicator, figure.value, figure.base, period.compare, lang))

    if best and worst:
        return _end(_s("change_both", lang, best=item(best), worst=item(worst), **values), lang)
    if best:
        return _end(_s("change_best", lang, best=item(best), **values), lang)
    if worst:
        return _end(_s("change_worst", lang, worst=item(worst), **values), lang)
    return _end(_s("change_flat", lang, **values), lang)


def no_base_sentence(figures: SummaryFigures, lang: str) -> str | None:
    """Everything with a value but none in the comparison period, in one sentence: '对比期（2023年1–6月）无数据'
    is said at most once in a briefing."""
    volumes = [v for v in figures.volumes if v.value is not None]
    indicators = [f for f in figures.indicators if f.value is not None]
    volumes_missing = [v for v in volumes if v.base is None]
    indicators_missing = [f for f in indicators if f.base is None]
    if not volumes_missing and not indicators_missing:
        return None
    values = {"compare": compare_word(figures.period, lang), "base": base_text(figures.period, lang)}
    if len(volumes_missing) == len(volumes) and len(indicators_missing) == len(indicators):
        return _end(_s("no_base_all", lang, **values), lang)
    names = [_s(f"item_{v.indicator.code}", lang) for v in volumes_missing]
    names += [name_of(f.indicator, lang) for f in indicators_missing]
    return _end(_s("no_base_items", lang, names=_s("list_sep", lang).join(names), **values), lang)


# ---------------------------------------------------------------------------------------------- 4 below target


def below_target_sentence(figures: SummaryFigures, lang: str) -> str | None:
    if figures.below_target is None:
        return None
    below = [b for b in figures.below_target if b.places]
    if not below:
        return _end(_s("below_none", lang), lang)
    sep = _s("list_sep", lang)
    items = []
    for entry in below:
        places = sep.join(entry.places[:MAX_PLACES])
        if len(entry.places) > MAX_PLACES:
            places = _s("below_more", lang, places=places)
        items.append(_s("below_item", lang, name=name_of(entry.indicator, lang), level=t(f"level.{entry.level}", lang=lang),
                        count=len(entry.places), places=places))
    return _end(_s("below_lead", lang, items=_s("clause_sep", lang).join(items)), lang)


# ---------------------------------------------------------------------------------------------- 5 destinations


def destination_sentence(figures: SummaryFigures, lang: str) -> str | None:
    """Where out-of-county referrals went; '无县外转诊' only when the count reported is zero, nothing when
    no report came in (the indicator is then named among those without data)."""
    if figures.destinations is None:
        return None
    count = next((f for f in figures.indicators if f.indicator.code == OUT_OF_COUNTY), None)
    if count is not None and count.value is None:
        return None
    destinations = [d for d in figures.destinations if d.referrals > 0]
    period = fmt_period(figures.period.month_from, figures.period.month_to, lang=lang)
    if not destinations:
        if count is not None and count.value == 0:
            return _end(_s("destinations_none", lang, period=period), lang)
        return None
    total = sum(d.referrals for d in destinations)
    top = sorted(destinations, key=lambda d: (-d.referrals, d.name))[:MAX_DESTINATIONS]
    items = _s("list_sep", lang).join(
        _s("destination_item", lang, name=d.name, count=fmt_value(d.referrals, "人次", lang=lang),
           share=fmt_value(d.referrals / total, "%", lang=lang))
        for d in top
    )
    return _end(_s("destinations", lang, total=fmt_value(total, "人次", lang=lang), items=items), lang)


# ---------------------------------------------------------------------------------------------- 6 reporting


def reporting_sentence(figures: SummaryFigures, lang: str) -> str | None:
    """Missing reports, when any are: the figures above count only what came in. The rate is rounded down,
    so a period with a report missing never reads 100%."""
    found = figures.reporting
    if found is None or found.units_missing == 0 or found.reporting_rate is None:
        return None
    rate = fmt_value(math.floor(found.reporting_rate * 1000) / 1000, "%", lang=lang)
    return _end(_s("reporting", lang, rate=rate, reports=found.reports_missing, units=found.units_missing), lang)


# ---------------------------------------------------------------------------------------------- 7 appraisal


def appraisal_sentence(figures: SummaryFigures, lang: str) -> str | None:
    """The county's score and rank under the active scheme; the rank only among two counties or more."""
    found = figures.appraisal
    if found is None:
        return None
    score = f"{round(found.score, 1):g}"
    if found.of < 2:
        return _end(_s("appraisal_score", lang, scheme=found.scheme, year=found.year, county=found.county,
                       score=score), lang)
    return _end(_s("appraisal_rank", lang, scheme=found.scheme, year=found.year, county=found.county, score=score,
                   rank=found.rank, of=found.of), lang)


# ---------------------------------------------------------------------------------------------- 6 poverty, elderly care


def relapse_sentence(figures: SummaryFigures, lang: str) -> str | None:
    """Only when notable: the poverty-relapse figures short of their target, and the towns without elderly-care
    beds (the first MAX_PLACES named)."""
    found = figures.relapse
    if found is None:
        return None
    parts = []
    missed = [f for f in found.figures if f.value is not None and ind.meets_target(f.indicator, f.value) is False]
    if missed:
        clauses = _s("clause_sep", lang).join(target_clause(f, lang) for f in missed)
        parts.append(_s("relapse_missed", lang, clauses=clauses))
    if found.towns_without:
        names = _s("list_sep", lang).join(found.towns_without[:MAX_PLACES])
        more = _s("and_more", lang) if len(found.towns_without) > MAX_PLACES else ""
        parts.append(_s("eldercare_without", lang, count=len(found.towns_without), of=found.towns_reporting,
                        names=names + more))
    return _end(_s("clause_sep", lang).join(parts), lang) if parts else None


# ---------------------------------------------------------------------------------------------- 8 workforce


def workforce_sentence(figures: SummaryFigures, lang: str) -> str | None:
    """Only when notable: physicians per 1,000 below the target, facilities reporting more than their staff
    on record can support."""
    found = figures.workforce
    if found is None:
        return None
    parts = []
    physicians = found.physicians
    if physicians is not None and physicians.value is not None and \
            ind.meets_target(physicians.indicator, physicians.value) is False:
        parts.append(_s("workforce_below", lang, item=named_value(physicians.indicator, physicians.value, lang),
                        target=fmt_target(physicians.indicator.target, physicians.indicator.unit, lang=lang)))
    if found.flagged:
        parts.append(_s("staff_flags", lang, count=found.flagged))
    return _end(_s("clause_sep", lang).join(parts), lang) if parts else None


def pathogen_sentence(figures: SummaryFigures, lang: str) -> str | None:
    """The pathogen network's period, when the selection's institutions sent cases."""
    found = figures.workforce
    if found is None or not found.pathogen_sent:
        return None
    return _end(_s("pathogen", lang, sent=fmt_count(found.pathogen_sent),
                   rate=fmt_value(found.pathogen_rate, "%", lang=lang),
                   hours=fmt_value(found.pathogen_hours, "小时", lang=lang)), lang)


# ---------------------------------------------------------------------------------------------- whole text


def sentences(figures: SummaryFigures, lang: str = "zh") -> list[str]:
    """The briefing as sentences, in reading order; one sentence when the selection has no data."""
    if not figures.has_data:
        period = fmt_period(figures.period.month_from, figures.period.month_to, lang=lang)
        return [_end(_s("no_data_place", lang, period=period, place=place_name(figures.place, lang)), lang)]
    parts: list[str | None] = [
        volume_sentence(figures, lang),
        *target_sentences(figures, lang),
        change_sentence(figures, lang),
        no_base_sentence(figures, lang),
        below_target_sentence(figures, lang),
        destination_sentence(figures, lang),
        relapse_sentence(figures, lang),
        reporting_sentence(figures, lang),
        appraisal_sentence(figures, lang),
        workforce_sentence(figures, lang),
        pathogen_sentence(figures, lang),
    ]
    return [part for part in parts if part]


def compose(figures: SummaryFigures, lang: str = "zh") -> str:
    """The briefing as one paragraph."""
    return join(sentences(figures, lang), lang)


def join(parts: Sequence[str], lang: str) -> str:
    return (" " if lang == "en" else "").join(parts)
