"""The quality engine's files and defaults (the thresholds a user may change are function parameters)."""

from __future__ import annotations

from healthdash.core.paths import DATA_DIR

QUALITY_SCHEMA_SQL = DATA_DIR / "quality_schema.sql"
REPORTS_SQL = DATA_DIR / "quality_reports.sql"
FLAGS_SQL = DATA_DIR / "quality_flags.sql"
QUALITY_MACROS_SQL = DATA_DIR / "quality_macros.sql"
REPORT_DATASETS_CSV = DATA_DIR / "report_datasets.csv"
QUALITY_MEASURES_CSV = DATA_DIR / "quality_measures.csv"
VALIDATION_RULES_CSV = DATA_DIR / "validation_rules.csv"
# Which monthly report each indicator is computed from (blank: none, e.g. the referral platform's events).
INDICATOR_REPORTS_CSV = DATA_DIR / "indicator_reports.csv"

# A report is on time when loaded by this day of the next month (DESIGN.md section 7: "by the 10th").
DEFAULT_DUE_DAY = 10
MAX_DUE_DAY = 28  # every month has a 28th

# Modified z-score threshold (Iglewicz and Hoaglin's 3.5); flags from MIN_Z up are stored at build time,
# so a threshold may be set from MIN_Z up.
DEFAULT_Z = 3.5
MIN_Z = 3.0
# A value more than JUMP times, or less than 1/JUMP of, the same month last year; stored from MIN_JUMP.
DEFAULT_JUMP = 2.0
MIN_JUMP = 1.5

# States of a monthly report at a date, and the follow-up marks on a flag.
STATES = ("received", "late", "missing", "not_due")
MARK_STATUSES = ("verified", "to_correct", "corrected")
OUTLIER_CHECKS = ("zscore", "jump", "bounds")
