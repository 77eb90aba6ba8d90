"""The demo's sample targets (data/appraisal_targets_demo.csv): province targets for every monitored year, a
city's and a county's overrides, so that the 监测与考核 page shows each level of origin; and the sample
provincial scheme (示例) made active, so that a new user sees a ranking and the 运行简报 names a rank."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from healthdash.core.paths import DATA_DIR

TARGETS_CSV = DATA_DIR / "appraisal_targets_demo.csv"
LOADED_AT = datetime(2017, 1, 1)


def sample_targets(region: pd.DataFrame, years: range) -> pd.DataFrame:
    """appraisal_target rows: each row of the sample file for every year of `years`."""
    sample = pd.read_csv(TARGETS_CSV, dtype={"place_name": "str"}, keep_default_na=False)
    codes = dict(zip(region["name"], region["code"], strict=False))
    unknown = sorted({name for name in sample["place_name"] if name and name not in codes})
    if unknown:
        raise ValueError(f"{TARGETS_CSV.name}: unknown places {unknown}")
    rows = [{"level": row.level, "place_code": codes.get(row.place_name, ""), "indicator_code": row.indicator_code,
             "year": year, "target": float(row.target), "loaded_by": "示例", "loaded_at": LOADED_AT}
            for row in sample.itertuples() for year in years]
    return pd.DataFrame(rows)


SAMPLE_SCHEME = "preset:sample_province"


def sample_choice() -> pd.DataFrame:
    """appraisal_scheme_choice: the sample scheme, active from the start, chosen by 示例."""
    return pd.DataFrame([{"choice_id": 1, "scheme_key": SAMPLE_SCHEME, "chosen_by": "示例", "chosen_at": LOADED_AT}])
