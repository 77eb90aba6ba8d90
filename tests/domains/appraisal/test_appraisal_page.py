"""监测与考核 as a user goes through it (AppTest on the demo): choose a county and a year, read the 14 items,
download the submission workbook and read it back, record a qualitative judgement (audited), see the
demo's active sample scheme rank it, and make the national set active instead (audited)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from healthdash.access import audit
from healthdash.access.roles import Role
from healthdash.access.scope import Scope
from healthdash.access.store import open_store
from tests.support.app import open_page
from tests.support.downloads import Files, offered_files
from tests.support.places import region_code
from tests.support.signed import signed_in, with_accounts

PAGE = "pages/appraisal.py"


def table(at, column: str):  # noqa: ANN001, ANN201
    """The table on screen with `column` (interactive or static)."""
    return next(frame.value for frame in [*at.dataframe, *at.table] if column in frame.value.columns)


def test_choose_a_county_and_year_read_14_items_and_the_workbook(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files: Files = offered_files(monkeypatch)
    at = open_page(demo_db, monkeypatch, PAGE, {"city": region_code(demo_db, "雅安市")})
    at.selectbox(key="appraisal_county").set_value(region_code(demo_db, "名山区"))
    at.selectbox(key="appraisal_year").set_value(2024).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = table(at, "变化")
    assert len(shown) == 14
    row = shown.set_index("指标").loc["县域内基层诊疗人次占比"]
    # 名山区 set its own 55% (the demo's county target), over the national 65%.
    assert (row["目标"], row["目标来源"], row["方向"]) == ("55%", "县级", "↑")
    assert "名山区 · 2024年" in " ".join(c.value for c in at.caption)
    # The targets in force say their unit with the value, in the interface language.
    targets = next(frame.value for frame in at.dataframe if "目标来源" in frame.value.columns
                   and "变化" not in frame.value.columns).set_index("指标")["目标"]
    assert targets["县域内基层诊疗人次占比"] == "55%" and targets["参保人县域内住院人均费用及增长率"].endswith("元")
    english = open_page(demo_db, monkeypatch, PAGE, {"city": region_code(demo_db, "雅安市")}, lang="en")
    targets = next(frame.value for frame in english.dataframe if "Target set by" in frame.value.columns)["Target"]
    assert "1.00 per 10k" in list(targets) and not any("万" in text or "元" in text for text in targets)

    # The button of the year chosen (the first run offered the newest year's).
    name = "紧密型县域医共体监测指标_雨城区-名山区-荥经县_2024.xlsx"
    assert name in files
    book = load_workbook(io.BytesIO(files[name]()))
    sheet = book["监测指标"]
    header = int(sheet.freeze_panes[1:]) - 1
    assert sheet.cell(1, 1).value == "紧密型县域医共体监测指标"
    headers = [cell.value for cell in sheet[header]]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=header + 1)]
    assert headers[:3] == ["区县代码", "区县", "年度"] and len(headers) == 17
    assert [row[1] for row in rows] == ["雨城区", "名山区", "荥经县"]
    mingshan = dict(zip(headers, rows[1], strict=True))
    on_screen = float(row["本年"].rstrip("%"))
    assert mingshan["7. 县域内基层诊疗人次占比（%）"] == pytest.approx(on_screen, abs=0.05)
    assert mingshan["1. 资源统一管理"] == "未评定"
    definitions = book["指标说明"]
    first = int(definitions.freeze_panes[1:])
    assert definitions.max_row - first + 1 == 14
    marks = {definitions.cell(row, 3).value: definitions.cell(row, 8).value for row in range(first, first + 14)}
    assert definitions.cell(first - 1, 8).value == "P：口径为本系统拟定"
    assert marks["四类慢性病过早死亡率"] == "P" and marks["县域内基层诊疗人次占比"] is None


def test_a_judgement_is_recorded_shown_and_audited_and_the_ranking_explained(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = tmp_path / "health.duckdb"
    db.write_bytes(demo_db.read_bytes())
    county = region_code(db, "名山区")
    at = open_page(db, monkeypatch, PAGE, {"county": county})
    at.selectbox(key="appraisal_year").set_value(2025).run()
    at.selectbox(key="appraisal_item").set_value("resource_management")
    at.radio(key="appraisal_met").set_value(True)
    at.text_area(key="appraisal_evidence").input("医共体章程（2025年修订）.pdf")
    at.text_input(key="appraisal_note").input("人财物统一管理已落实")
    at.text_input(key="appraisal_by").input("李科长")
    next(button for button in at.button if button.label == "保存评定").click().run()
    assert not at.exception, [e.value for e in at.exception]
    history = table(at, "佐证材料")
    assert history[["指标", "达标情况", "评定人"]].values.tolist() == [["资源统一管理", "达标", "李科长"]]
    monitoring = table(at, "变化").set_index("指标")
    assert monitoring.loc["资源统一管理", "本年"] == "达标"
    store = open_store(db)
    try:
        audited = [entry for entry in audit.entries(store) if entry.action == audit.Action.APPRAISAL_JUDGEMENT]
    finally:
        store.close()
    assert len(audited) == 1
    assert (audited[0].detail["county"], audited[0].detail["item"], audited[0].detail["met"]) == (
        county, "resource_management", True)
    # The demo's sample scheme (示例) is active: it ranks the one county and explains the 8 points just earned.
    assert at.selectbox(key="appraisal_scheme").value == "preset:sample_province"
    assert any("当前考核方案：示例：省级医共体建设考核方案" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "appraisal_make_active"], "the active scheme offers no button"
    assert any("示例方案" in w.value for w in at.warning)
    assert table(at, "总分")["区县"].tolist() == ["名山区"]
    assert table(at, "计分说明").set_index("指标").loc["资源统一管理", "得分"] == 8
    # The official makes the national set (not scored) active instead: audited, and nothing is ranked.
    at.selectbox(key="appraisal_scheme").set_value("preset:national").run()
    at.button(key="appraisal_make_active").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("当前考核方案：国家监测" in c.value for c in at.caption)
    assert not [frame for frame in at.dataframe if "总分" in frame.value.columns]
    store = open_store(db)
    try:
        chosen = [entry for entry in audit.entries(store) if entry.action == audit.Action.APPRAISAL_SCHEME_CHOICE]
    finally:
        store.close()
    assert [entry.detail["scheme"] for entry in chosen] == ["preset:national"]


def test_a_county_officer_records_as_their_account_and_cannot_touch_the_schemes(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    county = region_code(demo_db, "鹿寨县")
    db = with_accounts(demo_db, tmp_path / "health.duckdb", [("鹿寨数据员", Role.OFFICER, Scope("county", county))])
    at = signed_in(db, monkeypatch, "鹿寨数据员")
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    by = next(field for field in at.text_input if field.label == "评定人")
    assert (by.value, by.disabled) == ("鹿寨数据员", True), "the account's name, not a name typed"
    at.radio(key="appraisal_met").set_value(False)
    next(button for button in at.button if button.label == "保存评定").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert table(at, "佐证材料")["评定人"].tolist() == ["鹿寨数据员"]
    # Choosing, uploading and retiring schemes is the province's: a county's officer sees none of it.
    assert not [b for b in at.button if b.key in ("appraisal_make_active", "appraisal_scheme_save", "appraisal_retire")]
    assert not [e for e in at.expander if "本地考核方案" in e.label]
