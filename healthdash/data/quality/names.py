"""What a flag's dataset and measure are called, in Chinese or English, from the one source of each name:
columns.py for reported columns, the indicator catalog for public-health indicators."""

from __future__ import annotations

from functools import cache

from healthdash.data.catalog import load_catalog
from healthdash.data.columns import TABLES_BY_NAME


@cache
def _indicators() -> dict[str, tuple[str, str]]:
    catalog = load_catalog()
    return {code: (zh, en) for code, zh, en in catalog[["code", "name_zh", "name_en"]].itertuples(index=False)}


def dataset_label(dataset: str, lang: str = "zh") -> str:
    return TABLES_BY_NAME[dataset].label(lang)


def measure_label(dataset: str, measure: str, lang: str = "zh") -> str:
    """A measure of data/quality_measures.csv ('outpatient_visits', 'imaging_remote_cases',
    'hpv_first_doses') or a rule flag's row key ('imaging', 'outpatient'; '' is the dataset itself)."""
    table = TABLES_BY_NAME[dataset]
    if dataset == "public_health" and measure in _indicators():
        zh, en = _indicators()[measure]
        return zh if lang == "zh" else en
    if measure in table.names:
        return table.column(measure).label(lang)
    for column in table.columns:
        for code, zh, en in column.choices:
            label = zh if lang == "zh" else en
            if measure == code:
                return label
            prefix = f"{code}_"
            if measure.startswith(prefix) and measure[len(prefix):] in table.names:
                sep = "" if lang == "zh" else " "
                return f"{label}{sep}{table.column(measure[len(prefix):]).label(lang)}"
    return table.label(lang) if measure == "" else measure
