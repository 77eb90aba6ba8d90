"""The 监测与考核 one-page sheet of a demo county, read back from the PDF: one page, the 14 items with this
year's values as the page shows them, the total and rank of the sample scheme, in Chinese and English."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from healthdash.core.exports import TitleBlock
from healthdash.core.filters import Filters
from healthdash.core.monitoring import ITEMS
from healthdash.domains.appraisal import data as appraisal
from healthdash.domains.appraisal.scoring import load_scheme, preset_paths
from healthdash.reports.appraisal_sheet import sheet_pdf
from tests.support.places import region_code

BLOCK = TitleBlock("监测与考核单页", ("雅安市",), (), "2025年", "同比", "2024年", "2025年12月", True)


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    # pypdf puts a NUL before each character of fpdf2's CFF subset; spaces and line breaks are layout.
    return len(reader.pages), "".join("".join(p.extract_text().replace("\x00", "").split()) for p in reader.pages)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_countys_sheet_is_one_page_with_its_14_items_score_and_rank(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    national, sample = (load_scheme(path, appraisal.directions()) for path in preset_paths())
    fig = appraisal.figures(Filters(date(2025, 1, 1), date(2025, 12, 1), city=region_code(demo_db, "雅安市")), 2025)
    county = region_code(demo_db, "名山区")
    pages, text = text_of(sheet_pdf(sample, fig, county, BLOCK, lang))
    assert pages == 1
    for item in ITEMS:
        assert "".join(item.name(lang).split())[:12] in text, item.name_zh
    table = appraisal.report_table(fig, county, lang)
    for value in table.iloc[:, 3]:
        assert "".join(str(value).split()) in text
    row = appraisal.ranking(sample, fig, lang).set_index("county").loc["名山区"]
    score, rank = f"{round(row['total'], 1):g}", int(row["rank"])
    if lang == "zh":
        assert f"考核总分{score}分（满分100），在3个区县中排第{rank}名" in text
        assert "名山区2025年" in text and "促分工" in text and "示例方案" in text
    else:
        assert f"Total{score}of100,rank{rank}of3counties" in text and "Divisionofwork" in text
    # The national set does not score: the same table, no total, no points column.
    pages, unscored = text_of(sheet_pdf(national, fig, county, BLOCK, lang))
    assert pages == 1 and "".join(ITEMS[13].name(lang).split()) in unscored
    assert not any(word in unscored for word in ("考核总分", "得分", "Total", "Points"))
