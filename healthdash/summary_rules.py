"""运行简报: the paragraph officials write before a meeting, composed from figures by fixed rules.

"2024年1–6月，名山区医疗卫生机构门诊48.89万人次，同比增长7.02%；住院2.85万人次，同比增长11.35%。"

Pure: the input is plain data (the dataclasses below, filled by healthdash.summary from the same
queries as the charts), the output is text. No database, no Streamlit session, no language model: the
same figures always give the same words, and every branch of every rule is tested on hand-made figures.
Wording lives in the [summary] section of the locale catalogs; numbers go through healthdash.fmt.

The rules, in the order the sentences appear:
1. volumes: outpatient visits and inpatient discharges with their 同比/环比 — 增长 / 下降 / 持平 (the change
   rounds to 0.00%), or why there is none (no data in the comparison period, or zero there);
2. targets: how many headline indicators with a target are met, then each one with its value, the target
   and by how much it is above or short (个百分点 for rates); indicators without a target and without
   data are named in sentences of their own;
3. change: the indicator that improved most and the one that worsened most against the comparison
   period, ranked by relative change |value − base| / |base| so that rates and counts compare; a change
   that rounds to nothing counts as unchanged; monitoring-only indicators are left out;
4. below target: for each indicator, how many places one level down miss the target, worst first;
5. out-of-county destinations: the receiving hospitals of most out-of-county referrals and their share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from healthdash import indicators as ind
from healthdash.filters import add_months, months_between
from healthdash.fmt import fmt_change, fmt_number, fmt_period, fmt_pp, fmt_value
from healthdash.i18n import t
from healthdash.indicators import Indicator

VOLUMES: tuple[str, ...] = ("outpatient_visits", "inpatient_discharges")
MAX_PLACES = 3
MAX_DESTINATIONS = 3

# "全区 / 全县 / 全市": the collective a report uses for its own place, from the name's last word.
_COLLECTIVE_SUFFIXES = ("街道", "区", "县", "市", "镇", "乡")


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
class SummaryFigures:
    place: Place
    period: Period
    volumes: tuple[Figure, ...]  # outpatient_visits, inpatient_discharges
    indicators: tuple[Figure, ...]  # the headline indicators, in display order
    below_target: tuple[BelowTarget, ...] | None = None  # None: no places one level down to compare
    destinations: tuple[Destination, ...] | None = None  # None: not gathered

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
    """The place as later sentences name it: '全区', '全县', '全市', '全镇' (the name itself in English)."""
    if place.alliance:
        return _s("alliance_collective", lang)
    if not place.name:
        return _s("all_places", lang)
    if lang == "en":
        return place.name
    for suffix in _COLLECTIVE_SUFFIXES:
        if place.name.endswith(suffix):
            return "全" + suffix
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


# ---------------------------------------------------------------------------------------------- 1 volumes


def growth_text(value: float | None, base: float | None, period: Period, lang: str) -> str:
    """'同比增长7.02%', '同比下降3.1%', '同比持平', or why there is no comparison."""
    compare = compare_word(period, lang)
    if value is None or base is None:
        return _s("no_base", lang, compare=compare, base=base_text(period, lang))
    if base == 0:
        return _s("zero_base", lang, compare=compare, base=base_text(period, lang))
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
    amounts, changes = [], []
    for volume in figures.volumes:
        key = volume.indicator.code
        if volume.value is None:
            amounts.append(_s("volume_missing", lang, item=_s(f"item_{key}", lang)))
            changes.append(None)
            continue
        amounts.append(_s(f"volume_{key}", lang, value=fmt_value(volume.value, volume.indicator.unit, lang=lang)))
        changes.append(growth_text(volume.value, volume.base, period, lang))
    present = [change for change in changes if change is not None]
    no_growth = all(ind.growth(v.value, v.base) is None for v in figures.volumes if v.value is not None)
    if len(present) > 1 and len(set(present)) == 1 and no_growth:
        # One missing base explains every volume: say it once, after the figures.
        body = _s("amount_sep", lang).join(amounts) + _s("clause_sep", lang) + present[0]
    else:
        body = _s("clause_sep", lang).join(
            amount if change is None else _s("item_change", lang, item=amount, change=change)
            for amount, change in zip(amounts, changes, strict=True)
        )
    return _end(lead + body, lang)


# ---------------------------------------------------------------------------------------------- 2 targets


def target_amount(indicator: Indicator, lang: str) -> str:
    """The target as reports write it: '90%' (no '.0' for a whole-number target), '1.50', '5,000人次'."""
    if indicator.is_percent:
        return f"{indicator.target:g}%"
    return fmt_value(indicator.target_value, indicator.unit, lang=lang)


def gap_text(indicator: Indicator, gap: float, lang: str) -> str:
    """A distance to the target: percentage points for rates, the unit otherwise."""
    if indicator.is_percent:
        return fmt_pp(abs(gap), lang=lang)
    return fmt_value(abs(gap), indicator.unit, lang=lang)


def _rounds_to_zero(indicator: Indicator, gap: float, lang: str) -> bool:
    return gap_text(indicator, gap, lang) == gap_text(indicator, 0.0, lang)


def target_clause(figure: Figure, lang: str) -> str:
    """'县域内就诊率95.0%，达到90%的目标，高出5.0个百分点' and its three siblings."""
    indicator = figure.indicator
    meets = ind.meets_target(indicator, figure.value)
    gap = figure.value - indicator.target_value
    values = {
        "name": name_of(indicator, lang),
        "value": fmt_value(figure.value, indicator.unit, lang=lang),
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
    untargeted = [f for f in with_data if f.indicator.target is None]
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
    if untargeted:
        items = sep.join(f"{name_of(f.indicator, lang)}{_s('value_sep', lang)}{fmt_value(f.value, f.indicator.unit, lang=lang)}"
                         for f in untargeted)
        sentences.append(_end(_s("no_target", lang, items=items), lang))
    if missing:
        names = sep.join(name_of(f.indicator, lang) for f in missing)
        sentences.append(_end(_s("no_data", lang, names=names), lang))
    return sentences


# ---------------------------------------------------------------------------------------------- 3 change


def delta_text(indicator: Indicator, value: float, base: float, lang: str) -> str:
    """The change shown next to a name: '+2.1个百分点' for rates, '−8.5%' for counts, '+0.12' for ratios."""
    if indicator.is_percent:
        return fmt_pp(value - base, signed=True, lang=lang)
    if indicator.unit == "ratio":
        text = fmt_number(value - base, 2)
        return text if text.startswith("−") or text == fmt_number(0, 2) else "+" + text
    if base == 0:
        return fmt_value(value - base, indicator.unit, lang=lang)
    return fmt_change((value - base) / base, lang=lang)


def _unchanged(indicator: Indicator, value: float, base: float, lang: str) -> bool:
    text = delta_text(indicator, value, base, lang).lstrip("+−")
    return text == delta_text(indicator, base, base, lang).lstrip("+−")


def relative_change(value: float, base: float) -> float:
    """|value − base| / |base|: comparable across rates and counts; a change from zero ranks first."""
    if base == 0:
        return float("inf") if value != 0 else 0.0
    return abs(value - base) / abs(base)


def movers(figures: SummaryFigures, lang: str) -> tuple[Figure | None, Figure | None, int]:
    """(most improved, most worsened, how many indicators had a comparison base)."""
    compared = [f for f in figures.indicators if f.value is not None and f.base is not None]
    best = worst = None
    best_size = worst_size = -1.0
    for figure in compared:
        indicator = figure.indicator
        if indicator.direction == "monitor" or _unchanged(indicator, figure.value, figure.base, lang):
            continue
        improved = ind.is_improvement(indicator, ind.change(indicator, figure.value, figure.base))
        size = relative_change(figure.value, figure.base)
        if improved and size > best_size:
            best, best_size = figure, size
        elif improved is False and size > worst_size:
            worst, worst_size = figure, size
    return best, worst, len(compared)


def change_sentence(figures: SummaryFigures, lang: str) -> str | None:
    period = figures.period
    if not any(f.value is not None for f in figures.indicators):
        return None
    best, worst, compared = movers(figures, lang)
    values = {"compare": compare_word(period, lang), "base": base_text(period, lang)}
    if compared == 0:
        return _end(_s("change_no_base", lang, **values), lang)

    def item(figure: Figure) -> str:
        return _s("change_item", lang, name=name_of(figure.indicator, lang),
                  delta=delta_text(figure.indicator, figure.value, figure.base, lang))

    if best and worst:
        return _end(_s("change_both", lang, best=item(best), worst=item(worst), **values), lang)
    if best:
        return _end(_s("change_best", lang, best=item(best), **values), lang)
    if worst:
        return _end(_s("change_worst", lang, worst=item(worst), **values), lang)
    return _end(_s("change_flat", lang, **values), lang)


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
    if figures.destinations is None:
        return None
    destinations = [d for d in figures.destinations if d.referrals > 0]
    period = fmt_period(figures.period.month_from, figures.period.month_to, lang=lang)
    if not destinations:
        return _end(_s("destinations_none", lang, period=period), lang)
    total = sum(d.referrals for d in destinations)
    top = sorted(destinations, key=lambda d: (-d.referrals, d.name))[:MAX_DESTINATIONS]
    items = _s("list_sep", lang).join(
        _s("destination_item", lang, name=d.name, count=fmt_value(d.referrals, "人次", lang=lang),
           share=fmt_value(d.referrals / total, "%", lang=lang))
        for d in top
    )
    return _end(_s("destinations", lang, total=fmt_value(total, "人次", lang=lang), items=items), lang)


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
        below_target_sentence(figures, lang),
        destination_sentence(figures, lang),
    ]
    return [part for part in parts if part]


def compose(figures: SummaryFigures, lang: str = "zh") -> str:
    """The briefing as one paragraph."""
    return join(sentences(figures, lang), lang)


def join(parts: Sequence[str], lang: str) -> str:
    return (" " if lang == "en" else "").join(parts)
