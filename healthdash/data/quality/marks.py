"""Follow-up marks on quality flags (已核实 value is right / 待更正 / 已更正), with a comment, who and when.

Marks are rows of quality_mark keyed by what a flag is about (check, dataset, measure, unit, alliance,
month), never by a load or a row: they outlive reloads of any data, and the newest mark of a flag is its
state. Every mark is kept, so the table is also the flag's audit trail (queries/quality_mark_history.sql).
Writing needs a writable connection: pages and tools pass set_mark to healthdash.ingest.loader.write, which
applies it to the database the way a load is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from healthdash.data.columns import TABLES_BY_NAME
from healthdash.data.quality import schema
from healthdash.data.quality.config import MARK_STATUSES, OUTLIER_CHECKS
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.rules import load_rules
from healthdash.data.quality.sql import Runner

MAX_COMMENT = 500


@dataclass(frozen=True)
class FlagKey:
    """What a flag is about: its check ('zscore', 'jump', 'bounds' or a rule id), dataset, measure (an
    outlier's measure; a rule's row key such as the service, or ''), unit, alliance ('' when none) and
    month. The columns of that name in queries/quality_flags.sql."""

    check_id: str
    dataset: str
    measure: str
    unit_code: str
    alliance_code: str
    month: date

    @classmethod
    def of(cls, flag: pd.Series | dict) -> FlagKey:
        """The key of a row of queries/quality_flags.sql."""
        month = pd.Timestamp(flag["month"]).date()
        return cls(str(flag["check_id"]), str(flag["dataset"]), str(flag["measure"]), str(flag["unit_code"]),
                   str(flag["alliance_code"]), month)

    def params(self) -> dict[str, object]:
        return {"check_id": self.check_id, "dataset": self.dataset, "measure": self.measure,
                "unit_code": self.unit_code, "alliance_code": self.alliance_code, "month": self.month}


def _checked(key: FlagKey, status: str, comment: str, by: str) -> str:
    if key.check_id not in OUTLIER_CHECKS and key.check_id not in {rule.rule_id for rule in load_rules()}:
        raise QualityError("unknown_check", value=key.check_id)
    if key.dataset not in TABLES_BY_NAME:
        raise QualityError("unknown_dataset", value=key.dataset)
    if status not in MARK_STATUSES:
        raise QualityError("mark_status", value=status)
    text = comment.strip()
    if not text:
        raise QualityError("comment_required")
    if len(text) > MAX_COMMENT:
        raise QualityError("comment_too_long", max=MAX_COMMENT, length=len(text))
    if not by.strip():
        raise QualityError("who_required")
    return text


def set_mark(con: duckdb.DuckDBPyConnection, key: FlagKey, status: str, comment: str, by: str, *,
             value: float | None = None, at: datetime | None = None) -> int:
    """Mark the flag `key` (status one of MARK_STATUSES, a comment required) as `by`; `value`: the flagged
    value the officer saw, so that a later change of it shows. Returns the mark's id; QualityError (with
    nothing written) for an unknown check, dataset or status, a missing comment or name."""
    text = _checked(key, status, comment, by)
    schema.ensure_tables(con)
    rows = con.execute("""
        insert into quality_mark
        select coalesce(max(mark_id), 0) + 1, $check_id, $dataset, $measure, $unit_code, $alliance_code, $month,
            $status, $comment, $value, $by, $at,
        from quality_mark
        returning mark_id
    """, {**key.params(), "status": status, "comment": text, "value": value, "by": by.strip(),
          "at": at or datetime.now().replace(microsecond=0)}).fetchall()
    return int(rows[0][0])


def history(run: Runner, key: FlagKey) -> pd.DataFrame:
    """Every mark of the flag, newest first (mark_id, status, comment, value_at_mark, marked_by, marked_at)."""
    return run("quality_mark_history", key.params())
