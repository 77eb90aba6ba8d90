"""监测与考核 as a provincial administrator goes through it in a browser (signed in, as the server's upload guard
takes files only from a signed-in or unlocked session): open the page from the navigation, pick a city, a
year and a county, upload the commission's scheme file (then one with a mistake: the message names
the line and nothing changes), make it active, read the ranking and the points lost, download the appraisal
workbook and the one-page sheet and read them back, and retire the scheme (the national set becomes active).
On a server of its own over a copy of the demo, since the scheme choices it makes outlast the test."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from healthdash.access.roles import Role
from healthdash.access.scope import PROVINCE
from tests.browser.helpers import PageLog, assert_clean, open_page, save_screenshot, sign_in, wait_until_idle
from tests.browser.test_browser_pages import choose
from tests.support.downloads import clicked_download
from tests.support.signed import PASSWORD, with_accounts

pytestmark = pytest.mark.browser

MAIN = '[data-testid="stMain"]'
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "appraisal_schemes" / "sample_province.toml"
NAME = "某市医共体考核办法（2025）"
OFFICER = "省管理员"
OWN = SAMPLE.read_text(encoding="utf-8").replace("示例：省级医共体建设考核方案", NAME).replace(
    "sample = true", "sample = false")


@pytest.fixture(scope="module")
def appraisal_server(browser_db: Path, tmp_path_factory: pytest.TempPathFactory, start_app):
    folder = tmp_path_factory.mktemp("appraisal")
    db = with_accounts(browser_db, folder / "health.duckdb", [(OFFICER, Role.ADMIN, PROVINCE)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEALTHDASH_AUTH", "required")
        with start_app(db, folder) as server:
            yield server


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the page's own select labelled `label`, as a user does."""
    select = page.locator(f'{MAIN} [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)).first
    select.scroll_into_view_if_needed()
    select.locator('input[role="combobox"]').click()
    page.get_by_role("option", name=option, exact=True).first.click()
    wait_until_idle(page)


def schemes_panel(page):  # noqa: ANN001, ANN201 (Playwright)
    """The 本地考核方案 expander, opened."""
    panel = page.locator(f'{MAIN} [data-testid="stExpander"]').filter(has_text="本地考核方案").first
    panel.scroll_into_view_if_needed()
    if panel.locator("details[open]").count() == 0:
        panel.locator("summary").click()
    return panel


def upload(page, name: str, text: str) -> None:
    """Choose the file in the scheme uploader and press save, once the uploader shows the file (a rerun just
    before, e.g. the last save's, can swallow a file chosen while it redraws: then it is chosen again)."""
    for attempt in range(2):
        wait_until_idle(page)
        schemes_panel(page).locator('input[type="file"]').set_input_files(
            files=[{"name": name, "mimeType": "application/toml", "buffer": text.encode("utf-8")}])
        try:
            schemes_panel(page).get_by_role("button", name="检查并保存方案").wait_for(timeout=20_000)
            break
        except Exception:
            if attempt:
                save_screenshot(page, "FAILED-appraisal-upload")
                raise
    wait_until_idle(page)
    schemes_panel(page).get_by_role("button", name="检查并保存方案").click()
    wait_until_idle(page)


def shows(page, text: str) -> str:
    """The page's text once it shows `text` (a rerun after st.rerun may come after the first idle moment)."""
    page.locator(MAIN).get_by_text(text).first.wait_for(timeout=30_000)
    wait_until_idle(page)
    return page.locator(MAIN).inner_text()


def grid_text(page, header: str) -> str:
    grid = page.locator(f'{MAIN} [data-testid="stDataFrame"]').filter(has_text=header).first
    grid.scroll_into_view_if_needed()
    return grid.text_content() or ""  # the grid draws on a canvas; its cells are in a hidden table


def pdf_text(data: bytes) -> str:
    # pypdf puts a NUL before each character of fpdf2's CFF subset.
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_an_official_uploads_a_scheme_ranks_with_it_exports_and_retires_it(page_for, appraisal_server) -> None:
    log = PageLog()
    page = page_for(appraisal_server.url, log)
    open_page(page, "/")
    sign_in(page, OFFICER, PASSWORD)
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="监测与考核").click()
    wait_until_idle(page)
    choose(page, "地市", "雅安市")
    pick(page, "年度", "2024年")
    pick(page, "区县", "名山区")
    assert "名山区 · 2024年" in page.locator(MAIN).inner_text()

    upload(page, "某市考核.toml", OWN)
    shows(page, f"考核方案“{NAME}”已保存")
    assert "已上传 1 个" in schemes_panel(page).inner_text()
    # A mistake on one line: the whole file is refused, naming the line, and nothing is stored.
    lines = OWN.splitlines()
    wrong = next(number for number, line in enumerate(lines, start=1) if line.startswith('kind = "at_target"'))
    broken = "\n".join(line.replace("at_target", "curve") if number == wrong else line
                       for number, line in enumerate(lines, start=1)).replace(NAME, "另一个方案")
    upload(page, "有误.toml", broken)
    page.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=30_000)
    error = page.locator('[data-testid="stAlertContentError"]').inner_text()
    assert "有误.toml" in error and f"第 {wrong} 行" in error and "curve" in error, error
    assert "已上传 1 个" in schemes_panel(page).inner_text(), "the refused file stored nothing"

    pick(page, "考核方案", f"{NAME}（本地上传）")
    page.get_by_role("button", name="设为当前考核方案").click()
    main = shows(page, f"已将“{NAME}”设为当前考核方案")
    assert f"当前考核方案：{NAME}" in main and "示例方案" not in main
    ranking = grid_text(page, "总分")
    assert all(county in ranking for county in ("雨城区", "名山区", "荥经县")), ranking
    why = grid_text(page, "计分说明")
    assert "失分" in why and "资源统一管理" in why, why
    save_screenshot(page, "appraisal-own-scheme-ranked")

    name, workbook = clicked_download(page, "下载考核评分表（Excel）")
    assert name == "医共体建设考核评分_雨城区-名山区-荥经县_2024.xlsx"
    book = load_workbook(io.BytesIO(workbook))
    sheet = book["考核排名"]
    header = int(sheet.freeze_panes[1:]) - 1
    headers = [cell.value for cell in sheet[header]]
    counties = [row[headers.index("区县")] for row in sheet.iter_rows(min_row=header + 1, values_only=True)]
    assert sorted(counties) == ["名山区", "荥经县", "雨城区"] and "总分" in headers
    assert NAME in str(sheet.cell(1, 1).value) + str(sheet.cell(2, 1).value)
    name, sheet_pdf = clicked_download(page, "下载本区县考核单页（PDF）")
    assert name == "监测与考核单页_名山区_2024.pdf"
    assert len(PdfReader(io.BytesIO(sheet_pdf)).pages) == 1
    text = pdf_text(sheet_pdf)
    assert "名山区2024年" in text and NAME in text and "考核总分" in text

    wait_until_idle(page)  # the download's rerun redraws the panel closed
    # A late rerun of the download can redraw the box as the click lands: tick it until it holds, as a user would.
    for _ in range(3):
        confirm = schemes_panel(page).locator('[data-testid="stCheckbox"]').filter(has_text=f"确认停用“{NAME}”")
        if not confirm.locator("input").is_checked():
            confirm.get_by_text(f"确认停用“{NAME}”").click()
            wait_until_idle(page)
        if schemes_panel(page).get_by_role("button", name="停用").is_enabled():
            break
    schemes_panel(page).get_by_role("button", name="停用").click()  # its name has its icon's: "delete 停用"
    main = shows(page, f"已停用考核方案“{NAME}”。它原是当前考核方案")
    assert "当前考核方案：国家监测（不计分）" in main
    assert "已上传 0 个" in schemes_panel(page).inner_text()
    save_screenshot(page, "appraisal-scheme-retired")
    assert_clean(log, "监测与考核")
