"""A value against its target, in words: the one copy of the target text (目标 ≥90%), the pass/fail
word (达标/未达标/未设目标) with its mark (fmt.status_mark), and the change between two periods.

`meets` is what indicators.meets_target answers; None or a missing value (pandas NA) means nothing is
judged (no target, or no value).
"""

from __future__ import annotations

from healthdash.core import indicators as ind
from healthdash.core.fmt import fmt_delta, fmt_pp, fmt_target, fmt_value, is_missing, status_mark
from healthdash.core.i18n import current_lang, t
from healthdash.core.indicators import Indicator


def status_word(meets: object, lang: str | None = None) -> str:
    """Pass or fail as a word, for files and legends that have no colour to tell it by: 达标 / 未达标 /
    未设目标."""
    key = "kpi.no_target" if is_missing(meets) else ("kpi.met" if meets else "kpi.not_met")
    return t(key, lang=lang)


def status_label(meets: object, lang: str | None = None) -> str:
    """Mark and word: '✓ 达标', '✗ 未达标', '未设目标'."""
    return f"{status_mark(meets)} {status_word(meets, lang)}".strip()


def status_labels(lang: str | None = None) -> tuple[str, str, str]:
    """The words of a chart coloured by pass/fail, in the order charts.status_scale takes them."""
    return status_word(True, lang), status_word(False, lang), status_word(None, lang)


def target_sign(indicator: Indicator) -> str:
    """'≤' when lower is better, '≥' otherwise: the sign says which side of the target is good."""
    return "≤" if indicator.direction == "down" else "≥"


def target_amount(indicator: Indicator, lang: str) -> str:
    """The target as reports write it: '90%' (no '.0' for a whole-number target), '1.50', '5,000人次'."""
    return fmt_target(indicator.target_value, "%" if indicator.is_percent else indicator.unit, lang=lang)


def target_bound(indicator: Indicator, lang: str | None = None) -> str:
    """'≥90%' (a table's target column), or '未设目标'."""
    if indicator.target is None:
        return t("kpi.no_target", lang=lang)
    return target_sign(indicator) + target_amount(indicator, lang or current_lang())


def target_text(indicator: Indicator, lang: str | None = None) -> str:
    """'目标 ≥90%' (beside a value), or '未设目标'."""
    if indicator.target is None:
        return t("kpi.no_target", lang=lang)
    return t("kpi.target", lang=lang, target=target_bound(indicator, lang))


def gap_text(indicator: Indicator, gap: float, lang: str, *, compact: bool = True) -> str:
    """A distance to the target: percentage points for rates, the unit otherwise (in full in a table,
    without `compact`)."""
    if indicator.is_percent:
        return fmt_pp(abs(gap), lang=lang)
    return fmt_value(abs(gap), indicator.unit, lang=lang, compact=compact)


def change_text(indicator: Indicator, value: float | None, base: float | None, lang: str) -> str:
    """The change from `base` to `value` as the indicator's kind prints it: '+2.1个百分点' for rates,
    '−8.5%' for counts, '+0.12' for ratios; '—' when there is none (a count growing from zero)."""
    return fmt_delta(ind.change(indicator, value, base), ind.change_kind(indicator), lang=lang)


def zero_base_text(compare: str, lang: str) -> str:
    """'上年同期为0' / '上期为0' (compare 'yoy' / 'mom'): a base of zero has no growth but is not blank."""
    return t(f"summary.zero_base_{compare}", lang=lang)


def delta_text(indicator: Indicator, value: float | None, base: float | None, compare: str, lang: str) -> str | None:
    """The change shown next to a name, on a card and in a table: '+2.1个百分点' for rates, '−8.5%' for
    counts, '+0.12' for ratios; for a count whose comparison period had none, '上年同期为0' ('上期为0' for
    环比); None without a value in both periods."""
    if value is None or base is None:
        return None
    if ind.change(indicator, value, base) is None:  # growth from zero
        return zero_base_text(compare, lang)
    return change_text(indicator, value, base, lang)


def bracketed(text: str, note: str, lang: str | None = None) -> str:
    """`text` with `note` in brackets as the language writes them: 名山区（-8） in Chinese, Item (-8) in English."""
    return f"{text}（{note}）" if (lang or current_lang()) == "zh" else f"{text} ({note})"
