"""监测与考核 charts: each county's total score as a bar, the selected county highlighted."""

from __future__ import annotations

import pandas as pd

from healthdash.core.i18n import t
from healthdash.ui import charts
from healthdash.ui.chart_cache import ChartSpec


def score_bars(ranking: pd.DataFrame, county_name: str) -> ChartSpec | None:
    """Totals out of 100, best on top, labelled with the score and the rank."""
    if ranking.empty:
        return None
    shown = ranking.assign(label=[t("appraisal.page.bar_label", score=f"{total:g}", rank=rank)
                                  for total, rank in zip(ranking["total"], ranking["rank"], strict=True)])
    return charts.plain_bars(shown, label="county", value="total", text="label", highlight=county_name,
                             value_title=t("appraisal.page.score_axis"), axis_format=",.0f", label_limit=160)
