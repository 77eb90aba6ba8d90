"""Which appraisal scheme is active, and a commission's own scheme file: an upload is checked whole (a refused
file stores nothing), a stored one is offered beside the shipped ones and can be made active; the 运行简报
then names a selected county's score and rank, and says nothing for a scheme that does not score. Retiring
an upload stops offering it; retiring the active one makes the national set active."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from healthdash.core.filters import Filters
from healthdash.data.appraisal import AppraisalError, choose_scheme, retire_scheme, save_scheme
from healthdash.domains.appraisal import data as appraisal
from healthdash.domains.appraisal.scoring import MAX_SCHEME_FILE, SchemeError, checked_upload
from healthdash.ingest import loader
from healthdash.reports import summary
from tests.support.places import region_code

PRESETS = Path(__file__).resolve().parents[3] / "data" / "appraisal_schemes"
OWN = (PRESETS / "sample_province.toml").read_text(encoding="utf-8").replace(
    'name = "示例：省级医共体建设考核方案"', 'name = "某市医共体考核办法（2025）"').replace("sample = true", "sample = false")


@pytest.fixture(scope="module")
def db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("schemes") / "health.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    return copy


def stored(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return (con.execute("select count(*) from appraisal_scheme").fetchone()[0],
                con.execute("select count(*) from appraisal_scheme_choice").fetchone()[0])


@pytest.mark.parametrize(("data", "expected"), [
    (OWN.replace("weight = 15", "weight = 16").encode(), "第 1 行：各项分值合计 101，应为 100"),
    (OWN.replace('kind = "at_target"', 'kind = "curve"').encode(), "计分方式“curve”"),
    (OWN.encode("gbk"), "不是 UTF-8 编码的文本"),
    (b"#" * (MAX_SCHEME_FILE + 1), "文件过大"),
], ids=["weights", "kind", "gbk", "size"])
def test_a_refused_scheme_file_names_its_mistake_and_stores_nothing(
        db: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, expected: str) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(db))
    before = stored(db)
    with pytest.raises(SchemeError) as refused:
        checked_upload(data, appraisal.directions())
    assert expected in str(refused.value)
    assert stored(db) == before


def test_an_upload_is_offered_made_active_and_ranks_in_the_briefing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(db))
    scheme, text = checked_upload(OWN.encode("utf-8-sig"), appraisal.directions())
    scheme_id = loader.write(db, lambda con: save_scheme(con, scheme.name, "某市考核.toml", text, "王处长",
                                                         ["示例：省级医共体建设考核方案"]))
    with pytest.raises(AppraisalError, match="已有名为“某市医共体考核办法（2025）”"):
        loader.write(db, lambda con: save_scheme(con, scheme.name, "again.toml", text, "王处长"))
    with pytest.raises(AppraisalError, match="已有名为"):
        loader.write(db, lambda con: save_scheme(con, "示例：省级医共体建设考核方案", "x.toml", text, "王处长",
                                                 ["示例：省级医共体建设考核方案"]))
    offered, problems = appraisal.offered_schemes()
    key = f"upload:{scheme_id}"
    assert not problems and list(offered) == ["preset:national", "preset:sample_province", key]
    assert (offered[key].scheme.name, offered[key].uploaded_by) == ("某市医共体考核办法（2025）", "王处长")

    county = region_code(db, "名山区")
    year_2025 = Filters(date(2025, 1, 1), date(2025, 12, 1), county=county)
    # The demo starts with the sample scheme active, named as 示例 in the briefing.
    assert appraisal.active_scheme().offered.key == "preset:sample_province"
    assert "按当前考核方案“示例：省级医共体建设考核方案”" in summary.summary_text(year_2025, "zh")

    with pytest.raises(AppraisalError):
        loader.write(db, lambda con: choose_scheme(con, "upload:999", "王处长", offered))
    loader.write(db, lambda con: choose_scheme(con, key, "王处长", offered))
    active = appraisal.active_scheme()
    assert active is not None and (active.offered.key, active.chosen_by) == (key, "王处长")
    # The rank the page's ranking of 名山区's city gives, said once.
    city = Filters(date(2025, 1, 1), date(2025, 12, 1), city=region_code(db, "雅安市"))
    ranking = appraisal.ranking(scheme, appraisal.figures(city, 2025), "zh").set_index("county")
    expected = (f"按当前考核方案“某市医共体考核办法（2025）”，名山区2025年得{round(ranking.loc['名山区', 'total'], 1):g}分，"
                f"在本市{len(ranking)}个区县中排第{ranking.loc['名山区', 'rank']}名。")
    text = summary.summary_text(year_2025, "zh")
    assert text.count(expected) == 1, text
    # Where each county lost most, with the points in the language's brackets: 名山区（-8）, Item (-8).
    english = appraisal.ranking(scheme, appraisal.figures(city, 2025), "en").set_index("county")
    assert all(re.fullmatch(r".+（-[\d.]+）", lost) for lost in ranking["most_lost"] if lost), ranking["most_lost"]
    assert all(re.fullmatch(r".+[^（] \(-[\d.]+\)", lost) for lost in english["most_lost"] if lost), english["most_lost"]
    assert any(english["most_lost"])
    assert "ranking" in summary.summary_text(year_2025, "en")
    # Only for a county: not for its city, nor for a scheme that does not score.
    assert "考核方案" not in summary.summary_text(city, "zh")
    loader.write(db, lambda con: choose_scheme(con, "preset:national", "王处长", offered))
    assert "考核方案" not in summary.summary_text(year_2025, "zh")


def test_retiring_the_active_upload_falls_back_to_the_national_set(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(db))
    name = "某县试行考核办法"
    scheme, text = checked_upload(OWN.replace("某市医共体考核办法（2025）", name).encode(), appraisal.directions())
    key = f"upload:{loader.write(db, lambda con: save_scheme(con, name, 'a.toml', text, '王处长'))}"
    loader.write(db, lambda con: choose_scheme(con, key, "王处长", appraisal.offered_schemes()[0]))
    for refused, message in (("preset:sample_province", "内置考核方案不能停用"), ("upload:999", "不存在")):
        with pytest.raises(AppraisalError, match=message):
            loader.write(db, lambda con, refused=refused: retire_scheme(con, refused, "王处长"))
    assert appraisal.active_scheme().offered.key == key

    assert loader.write(db, lambda con: retire_scheme(con, key, "李科长")) is True
    offered = appraisal.offered_schemes()[0]
    assert key not in offered
    active = appraisal.active_scheme(offered)
    assert (active.offered.key, active.chosen_by) == ("preset:national", "李科长")
    with pytest.raises(AppraisalError, match="不存在"):
        loader.write(db, lambda con: retire_scheme(con, key, "李科长"))
    # Its row is kept; its name is free again, and retiring a scheme that is not active changes no choice.
    again = f"upload:{loader.write(db, lambda con: save_scheme(con, name, 'b.toml', text, '王处长'))}"
    assert loader.write(db, lambda con: retire_scheme(con, again, "李科长")) is False
    assert appraisal.active_scheme().offered.key == "preset:national"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from appraisal_scheme where name = $n and retired_by = '李科长'",
                           {"n": name}).fetchone()[0] == 2
