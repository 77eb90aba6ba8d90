"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Every chart a test draws is checked against the Vega-Lite schema (healthdash.chart_cache.CHECK_SPECS),
# in this process and in the servers the browser tests start; set before healthdash is imported.
os.environ["HEALTHDASH_CHECK_CHARTS"] = "1"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo database (scale 1, default seed), built once for the whole session.

    Scale 1 because calibration.csv is reproduced exactly only there; once because a build takes seconds
    and every test only reads it.
    """
    from healthdash.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "health.duckdb"
    build_demo(path)
    return path
