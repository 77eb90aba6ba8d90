"""Fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest


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
