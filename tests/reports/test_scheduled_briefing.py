"""The monthly briefing a server's timer writes (`python -m healthdash briefing`): the PDF of a county for the
last month, named after it, with the county's headline table, and an audit row; an unknown place writes
nothing and says so in Chinese."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from healthdash.access import audit
from healthdash.access.audit import Action
from healthdash.access.store import open_store
from tests.support.places import region_code

ROOT = Path(__file__).resolve().parents[2]


def briefing(db: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "healthdash", "briefing", "--db", str(db), "--out", str(out), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_the_timer_writes_a_countys_briefing_and_audits_it(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "health.duckdb"
    shutil.copyfile(demo_db, db)
    county = region_code(db, "鹿寨县")
    done = briefing(db, tmp_path / "简报", "--place", county, "--period", "month")
    assert done.returncode == 0, done.stderr
    [pdf] = (tmp_path / "简报").iterdir()
    assert pdf.name == "医联体运行监测简报_柳州市鹿寨县_2025年12月.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    # pypdf puts a NUL before each character of fpdf2's CFF subset.
    text = "".join("".join(page.extract_text().replace("\x00", "").split()) for page in PdfReader(pdf).pages)
    assert "鹿寨县" in text and "县域内就诊率" in text and "2025年12月" in text
    [entry] = audit.entries(open_store(db), action=Action.BRIEFING)
    assert entry.detail["place"] == county and entry.detail["file"] == pdf.name

    refused = briefing(db, tmp_path / "other", "--place", "999999")
    assert refused.returncode == 1 and "没有代码为 999999 的地市或区县" in refused.stderr
    assert not (tmp_path / "other").exists(), "nothing written"
