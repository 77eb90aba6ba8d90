"""The briefing a server's timer writes (`python -m healthdash briefing`): the Overview's own documents (Word
专报, PowerPoint, PDF) of a place and period without a browser, read back in the language asked for; another
page's (public health, the county profile) Word and PowerPoint; the PDF of a county for the last month with an
audit row; arguments it cannot use write nothing and say why in Chinese."""

from __future__ import annotations

import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from pptx import Presentation
from pypdf import PdfReader

from healthdash.access import audit
from healthdash.access.audit import Action
from healthdash.access.store import open_store
from healthdash.cli import main
from tests.support.places import region_code

ROOT = Path(__file__).resolve().parents[2]
PICTURE = 13  # python-pptx's MSO_SHAPE_TYPE.PICTURE


def briefing(db: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "healthdash", "briefing", "--db", str(db), "--out", str(out), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def _read_back(folder: Path, kinds: tuple[str, ...] = ("docx", "pptx", "pdf")) -> dict[str, tuple[str, list[str], int]]:
    """Each file by extension: its name, its texts in reading order and how many images it holds."""
    files = {path.suffix[1:]: path for path in folder.iterdir()}
    assert set(files) == set(kinds), sorted(files)
    word = Document(BytesIO(files["docx"].read_bytes()))
    deck = Presentation(BytesIO(files["pptx"].read_bytes()))
    read = {
        "docx": (files["docx"].name, [p.text for p in word.paragraphs], len(word.inline_shapes)),
        "pptx": (files["pptx"].name, [shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                                      if shape.has_text_frame],
                 sum(shape.shape_type == PICTURE for slide in deck.slides for shape in slide.shapes)),
    }
    if "pdf" in files:
        pdf = PdfReader(files["pdf"])
        # pypdf puts a NUL before each character of fpdf2's CFF subset.
        read["pdf"] = (files["pdf"].name, [page.extract_text().replace("\x00", "") for page in pdf.pages],
                       sum(len(page.images) for page in pdf.pages))
    return read


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_command_writes_the_overviews_documents(demo_db: Path, tmp_path: Path, lang: str) -> None:
    db = tmp_path / "health.duckdb"
    shutil.copyfile(demo_db, db)
    done = briefing(db, tmp_path / "out", "--place", region_code(db, "名山区"), "--from", "2024-01", "--to", "2024-06",
                    "--format", "docx,pptx,pdf", "--lang", lang)
    assert done.returncode == 0, done.stderr
    assert not done.stderr.strip(), done.stderr
    files = _read_back(tmp_path / "out")
    if lang == "zh":
        period, opening, indicator = "2024年1–6月", "2024年1–6月，名山区医疗卫生机构门诊", "县域内就诊率"
        titles = {"docx": "医联体运行监测专报", "pptx": "医联体运行监测专报", "pdf": "医联体运行监测简报"}
        names = {"docx": "总览专报_雅安市名山区_2024年1-6月.docx", "pptx": "总览汇报_雅安市名山区_2024年1-6月.pptx",
                 "pdf": "医联体运行监测简报_雅安市名山区_2024年1-6月.pdf"}
    else:
        period, opening, indicator = "Jan–Jun 2024", "Jan–Jun 2024, health facilities in 名山区: ", "County retention rate"
        titles = {"docx": "Medical Alliance Monitoring Report", "pptx": "Medical Alliance Monitoring Report",
                  "pdf": "Medical Alliance Monitoring Briefing"}
        names = {"docx": "Overview-report_雅安市-名山区_Jan-Jun-2024.docx",
                 "pptx": "Overview-slides_雅安市-名山区_Jan-Jun-2024.pptx",
                 "pdf": "Medical-Alliance-Monitoring-Briefing_雅安市-名山区_Jan-Jun-2024.pdf"}
    for kind, (name, texts, images) in files.items():
        assert name == names[kind]
        # fpdf2 breaks lines where it must: compared without white space.
        flat = "".join("\n".join(texts).split())
        first = next(text for text in texts if text.strip())
        assert first.startswith(titles[kind]), (kind, first)
        assert f"名山区·{period.replace(' ', '')}" in flat, (kind, flat[:300])
        assert "".join(opening.split()) in flat, (kind, flat[:600])
        assert "".join(indicator.split()) in flat and ("县域内就诊率" in flat) == (lang == "zh"), kind
        assert images >= 1, kind


@pytest.mark.parametrize(("page", "lang", "names", "sections"), [
    ("public-health", "zh", ("公共卫生专报_雅安市名山区_2024年1-6月.docx", "公共卫生汇报_雅安市名山区_2024年1-6月.pptx"),
     ("免疫与筛查", "重点人群签约与总体签约")),
    ("county", "en", ("名山区-County-profile-report_雅安市-名山区_Jan-Jun-2024.docx",
                      "名山区-County-profile-slides_雅安市-名山区_Jan-Jun-2024.pptx"), ("Elderly care",)),
])
def test_the_command_writes_another_pages_documents(demo_db: Path, tmp_path: Path, page: str, lang: str,
                                                    names: tuple[str, str], sections: tuple[str, ...]) -> None:
    db = tmp_path / "health.duckdb"
    shutil.copyfile(demo_db, db)
    done = briefing(db, tmp_path / "out", "--page", page, "--place", region_code(db, "名山区"), "--from", "2024-01",
                    "--to", "2024-06", "--lang", lang)
    assert done.returncode == 0, done.stderr
    files = _read_back(tmp_path / "out", ("docx", "pptx"))  # Word and PowerPoint unless --format says otherwise
    title = "医联体运行监测专报" if lang == "zh" else "Medical Alliance Monitoring Report"
    period = "2024年1–6月" if lang == "zh" else "Jan–Jun2024"
    for (kind, (name, texts, images)), expected in zip(files.items(), names, strict=True):
        flat = "".join("\n".join(texts).split())
        assert name == expected
        assert next(text for text in texts if text.strip()).startswith(title), kind
        assert f"名山区·{period}" in flat and all("".join(section.split()) in flat for section in sections), (kind, flat[:400])
        assert images >= 1, kind


def test_the_timer_writes_a_countys_briefing_and_audits_it(demo_db: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "health.duckdb"
    shutil.copyfile(demo_db, db)
    county = region_code(db, "鹿寨县")
    done = briefing(db, tmp_path / "简报", "--place", county, "--period", "month")
    assert done.returncode == 0, done.stderr
    [pdf] = (tmp_path / "简报").iterdir()
    assert pdf.name == "医联体运行监测简报_柳州市鹿寨县_2025年12月.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    text = "".join("".join(page.extract_text().replace("\x00", "").split()) for page in PdfReader(pdf).pages)
    assert "鹿寨县" in text and "县域内就诊率" in text and "2025年12月" in text
    [entry] = audit.entries(open_store(db), action=Action.BRIEFING)
    assert entry.detail["place"] == county and entry.detail["file"] == pdf.name
    assert (entry.detail["from"], entry.detail["to"]) == ("2025-12", "2025-12")

    refusals = {
        ("--place", "999999"): "没有代码为 999999 的地市或区县",
        ("--from", "2024-13", "--to", "2024-06"): "月份 2024-13 无法识别",
        ("--from", "2024-01"): "--from 与 --to 须同时给出",
        ("--from", "2024-06", "--to", "2024-01"): "起始月 2024-06 晚于结束月 2024-01",
        ("--from", "2010-01", "--to", "2010-06"): "数据库中只有",
        ("--format", "docx,xls"): "不支持的格式 xls",
        ("--lang", "fr"): "不支持的语言 fr",
        ("--page", "data"): "不支持的页面 data",
        ("--page", "referrals", "--format", "docx,pdf"): "会议简报 PDF 只有总览页提供",
        ("--page", "county", "--place", region_code(db, "柳州市")): "区县画像须用 --place 指定一个区县代码",
    }
    monkeypatch.setenv("HEALTHDASH_DB", str(db))  # the command sets it; put back after the test
    for args, said in refusals.items():  # in this process: ten interpreters would cost most of a minute
        code = main(["briefing", "--db", str(db), "--out", str(tmp_path / "other"), *args])
        stderr = capsys.readouterr().err
        assert code == 1 and said in stderr, (args, stderr)
    assert not (tmp_path / "other").exists(), "nothing written"
