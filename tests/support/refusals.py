"""What a refused file must look like in a load's problem list, for the loader's corpus and file tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def assert_refused_with(found: pd.DataFrame, path: Path, code: str, phrase: str,
                        row: int | None = None, column: str | None = None) -> pd.Series:
    """The first problem of `code` names the file, says `phrase` in Chinese, has its English text with no
    placeholder left, and points at `row` and `column` when given; returns it for further checks."""
    hits = found[found["code"].eq(code)]
    assert len(hits), f"expected {code}, got {found[['code', 'message_zh']].to_dict('records')}"
    hit = hits.iloc[0]
    assert phrase in hit["message_zh"], hit["message_zh"]
    assert hit["message_en"] and "{" not in hit["message_zh"] + hit["message_en"]
    assert hit["file"] == str(path)
    if row is not None:
        assert hit["row"] == row
    if column is not None:
        assert hit["column"] == column
    return hit
