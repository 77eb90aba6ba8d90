"""Properties of the load validator and of loading, on generated files (hypothesis), in the tiny world of
tests/support/load_world.py: a negative count is always caught where it is, valid rows always pass however they
are spelled, and loading the same file twice changes nothing the second time."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthdash.data.columns import TABLES_BY_NAME
from healthdash.data.db import open_readonly
from healthdash.ingest import loader
from healthdash.ingest.loadfile import Sheet
from healthdash.ingest.validate import Reference, check_sheet
from tests.support.load_world import FACILITIES, NOT_ALLOWED, ROUTES, build_tiny, csv_bytes, table

TODAY = date.today()
COUNTS = ["outpatient_visits", "inpatient_discharges", "critical_cases"]
VOLUME = TABLES_BY_NAME["service_volume"]
IN_SCOPE = [code for code in FACILITIES["code"] if code != "HP1"]
PROPERTY = settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-property") / "health.duckdb")


@pytest.fixture(scope="module")
def reference(tiny: Path) -> Iterator[Reference]:
    con = open_readonly(tiny)
    yield Reference.load(con)
    con.close()


def sheet(table_name: str, rows: list[dict[str, str]]) -> Sheet:
    names = list(TABLES_BY_NAME[table_name].names)
    frame = pd.DataFrame([{name: row.get(name, "") for name in names} for row in rows], columns=names, dtype="str")
    return Sheet("generated.csv", "", table_name, frame, np.arange(2, len(rows) + 2))


months = st.dates(min_value=date(2015, 1, 1), max_value=TODAY).map(lambda day: day.replace(day=1))


def month_text(month: date) -> st.SearchStrategy[str]:
    return st.sampled_from([f"{month:%Y-%m}", f"{month.year}/{month.month}", f"{month.year}年{month.month}月",
                            f"{month:%Y%m}", f"{month:%Y-%m-%d}"])


@st.composite
def volume_rows(draw: st.DrawFn, negatives: bool = False) -> list[dict[str, str]]:
    keys = draw(st.lists(st.tuples(st.sampled_from(IN_SCOPE), months), min_size=1, max_size=25, unique=True))
    rows = []
    for facility, month in keys:
        rows.append({
            "facility_code": facility,
            "month": draw(month_text(month)),
            **{name: str(draw(st.integers(0, int(VOLUME.column(name).upper_bound)))) for name in COUNTS},
            "inpatient_spending": f"{draw(st.floats(0, 1e9, allow_nan=False)):.2f}",
        })
    if negatives:
        for position in draw(st.sets(st.integers(0, len(rows) - 1), min_size=1)):
            rows[position][draw(st.sampled_from(COUNTS))] = str(draw(st.integers(-1_000_000, -1)))
    return rows


@given(rows=volume_rows(negatives=True))
@PROPERTY
def test_any_negative_count_is_rejected_on_its_row(reference: Reference, rows: list[dict[str, str]]) -> None:
    frame, found = check_sheet(sheet("service_volume", rows), reference, TODAY)
    assert frame is None
    negative = pd.concat(found)
    negative = negative[negative["code"].eq("negative")]
    expected = {(position + 2, TABLES_BY_NAME["service_volume"].column(name).zh)
                for position, row in enumerate(rows) for name in COUNTS if row[name].startswith("-")}
    assert set(zip(negative["row"], negative["column"], strict=True)) == expected


@given(rows=volume_rows())
@PROPERTY
def test_valid_volume_rows_always_pass(reference: Reference, rows: list[dict[str, str]]) -> None:
    frame, found = check_sheet(sheet("service_volume", rows), reference, TODAY)
    assert not found, pd.concat(found)[["row", "column", "value", "code"]].to_dict("records")
    assert list(frame["outpatient_visits"]) == [int(row["outpatient_visits"]) for row in rows]


DIRECTION_SPELLINGS = {"up": ["上转", "up", "UP"], "down": ["下转", "down"], "out_of_county": ["县外转诊", "out_of_county"],
                       "returned": ["转回", "returned"]}


@st.composite
def referral_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    rows = []
    for _ in range(draw(st.integers(1, 30))):
        sender, receiver, direction = draw(st.sampled_from(ROUTES))
        day = draw(st.dates(min_value=date(2016, 1, 1), max_value=TODAY))
        rows.append({
            "from_facility": sender, "to_facility": receiver,
            "referral_date": draw(st.sampled_from([day.isoformat(), f"{day.year}/{day.month}/{day.day}",
                                                   f"{day.year}年{day.month}月{day.day}日"])),
            "direction": draw(st.sampled_from(DIRECTION_SPELLINGS[direction])),
            "disease_chapter": draw(st.sampled_from(["I", "ix", "XXII", "4", "19"])),
            "green_channel": draw(st.sampled_from(["是", "否", "1", "0", "TRUE", "false"])),
            "status": draw(st.sampled_from(["已完成", "待接收", "已取消", "completed"])),
        })
    return rows


@given(rows=referral_rows())
@PROPERTY
def test_valid_referrals_always_pass_whatever_the_spelling(reference: Reference, rows: list[dict[str, str]]) -> None:
    frame, found = check_sheet(sheet("referral", rows), reference, TODAY)
    assert not found, pd.concat(found)[["row", "column", "value", "code"]].to_dict("records")
    assert list(frame["direction"].astype("str")) == [
        next(code for code, spellings in DIRECTION_SPELLINGS.items() if row["direction"] in spellings) for row in rows]


@given(rows=referral_rows(), bad=st.data())
@PROPERTY
def test_a_referral_against_the_rule_is_rejected(reference: Reference, rows: list[dict[str, str]], bad: st.DataObject) -> None:
    position = bad.draw(st.integers(0, len(rows) - 1))
    sender, receiver = bad.draw(st.sampled_from(NOT_ALLOWED))
    rows[position] = {**rows[position], "from_facility": sender, "to_facility": receiver}
    frame, found = check_sheet(sheet("referral", rows), reference, TODAY)
    assert frame is None
    codes = pd.concat(found)
    assert list(codes.loc[codes["code"].eq("referral_not_allowed"), "row"]) == [position + 2]


@st.composite
def public_health_rows(draw: st.DrawFn) -> list[dict[str, object]]:
    keys = draw(st.lists(st.tuples(st.sampled_from(["T1", "T2", "T3"]), months,
                                   st.sampled_from(["fd_coverage", "hpv_first_doses", "child_immunization_rate"])),
                         min_size=1, max_size=12, unique=True))
    rows = []
    for town, month, indicator in keys:
        numerator = draw(st.integers(0, 5000))
        row = {"town_code": town, "month": f"{month:%Y-%m}", "indicator_code": indicator, "numerator": numerator}
        if indicator != "hpv_first_doses":
            row["denominator"] = numerator + draw(st.integers(0, 5000))
        rows.append(row)
    return rows


@given(rows=public_health_rows())
@settings(deadline=None, max_examples=5, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_loading_the_same_file_twice_changes_nothing_the_second_time(tiny: Path, rows: list[dict[str, object]]) -> None:
    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "health.duckdb"
        shutil.copyfile(tiny, db)
        report = Path(work) / "公共卫生.csv"
        report.write_bytes(csv_bytes("public_health", rows))
        first = loader.apply(db, loader.read_paths([report]), "tester")
        assert first.applied, first.checked.problems.to_dict("records")
        after_first = {name: table(db, name) for name in ("public_health", "indicator_fact")}
        second = loader.apply(db, loader.read_paths([report]), "tester")
        assert second.totals()["public_health"] == {"added": 0, "replaced": 0, "unchanged": len(rows), "removed": 0}
        for name, frame in after_first.items():
            pd.testing.assert_frame_equal(table(db, name), frame)
