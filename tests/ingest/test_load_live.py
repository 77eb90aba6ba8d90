"""Loading while the dashboard serves: open sessions see the new data on their next interaction, and a
load killed half-way leaves the previous database untouched, byte for byte.

The load triples the outpatient visits of every primary-care facility in the demo's last month, which
moves the Overview's 基层医疗卫生机构诊疗人次占比; the expected share is computed here from the base tables.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from healthdash.ingest import loader
from tests.browser.helpers import assert_clean, open_page, page_exceptions, wait_until_idle
from tests.support import app as apptest
from tests.support.load_world import csv_bytes, sha256
from tools.load_bench import write_referral_csv

ROOT = Path(__file__).resolve().parents[2]
SHARE = "基层医疗卫生机构诊疗人次占比"
PRIMARY = ("township", "community", "village")


@pytest.fixture
def live_db(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "live" / "health.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_db, path)
    return path


def primary_share(db: Path) -> float:
    """Primary-care visits / all visits in the monitored places over the last data year, in %, from the
    base tables (not the rollups the page reads)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("""
            with placed as (
                select f.code, f.tier, coalesce(county.code, r.code) as county_code,
                from facility f
                join region r on r.code = f.region_code
                left join region county on r.level = 'town' and county.code = r.parent_code
            )
            select 100.0 * sum(v.outpatient_visits) filter (where p.tier in $primary) / sum(v.outpatient_visits)
            from service_volume v
            join placed p on p.code = v.facility_code
            join region c on c.code = p.county_code
            where c.in_scope and year(v.month) = (select year(max(month)) from service_volume)
        """, {"primary": list(PRIMARY)}).fetchall()[0][0]


def tripled_primary_visits(db: Path, path: Path) -> Path:
    """The last month's reports of every primary-care facility, with three times the visits."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""
            select v.*
            from service_volume v
            join facility f on f.code = v.facility_code
            where f.tier in $primary and v.month = (select max(month) from service_volume)
        """, {"primary": list(PRIMARY)}).df()
    rows = rows.assign(month=rows["month"].dt.strftime("%Y-%m"), outpatient_visits=rows["outpatient_visits"] * 3)
    path.write_bytes(csv_bytes("service_volume", rows.to_dict("records")))
    return path


def import_command(report: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "healthdash", "import", str(report), "--db", str(db), *extra]


def shown_share(at: AppTest) -> float:
    # The value may carry * when a report is missing under it (issue 20); the figure is the number before it.
    return float(next(metric.value for metric in at.metric if metric.label == SHARE).rstrip("*").rstrip("%"))


def test_open_sessions_see_a_load_on_their_next_interaction(live_db: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    session = apptest.open_page(live_db, monkeypatch)
    before = shown_share(session)
    assert before == pytest.approx(primary_share(live_db), abs=0.05)

    done = subprocess.run(import_command(tripled_primary_visits(live_db, tmp_path / "门急诊与住院服务量.csv"), live_db),
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = primary_share(live_db)
    assert expected > before + 1

    session.run()  # the same session, after the swap: its next interaction
    assert not session.exception
    assert shown_share(session) == pytest.approx(expected, abs=0.05)
    fresh = apptest.open_page(live_db, monkeypatch)
    assert shown_share(fresh) == pytest.approx(expected, abs=0.05)


@dataclass
class LiveServer:
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def answers(url: str) -> bool:
    try:  # straight to loopback, whatever http_proxy says
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def app_server(live_db: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """The app under `streamlit run` on this test's own copy of the demo (the load changes it); the
    browser plugin's `page` fixture opens pages of this server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = LiveServer(f"http://127.0.0.1:{port}", tmp_path / "streamlit.log")
    env = {**os.environ, "HEALTHDASH_DB": str(live_db), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
               "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    with open(server.log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not answers(f"{server.url}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{server.log()[-4000:]}", pytrace=False)
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def metric_value(page, label: str) -> float:
    card = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return float(card.locator('[data-testid="stMetricValue"]').inner_text().strip().rstrip("*").rstrip("%"))


@pytest.mark.browser
def test_a_load_while_the_dashboard_serves(page, page_log, app_server: LiveServer, live_db: Path,
                                           tmp_path: Path) -> None:
    open_page(page, "/")
    before = metric_value(page, SHARE)

    # The browser session stays open on the old file while the command line loads and swaps.
    done = subprocess.run(import_command(tripled_primary_visits(live_db, tmp_path / "门急诊与住院服务量.csv"), live_db),
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert answers(f"{app_server.url}/_stcore/health")
    expected = primary_share(live_db)

    page.locator('[data-testid="stSidebar"]').get_by_text("环比", exact=True).click()
    wait_until_idle(page)
    assert not page_exceptions(page)
    after = metric_value(page, SHARE)
    assert after == pytest.approx(expected, abs=0.05) and after != before

    open_page(page, "/")
    assert metric_value(page, SHARE) == pytest.approx(expected, abs=0.05)
    assert "Traceback" not in app_server.log()
    assert_clean(page_log, "the overview across a load")


@pytest.mark.parametrize("delay", [0.0, 1.0], ids=["while-copying", "while-writing"])
def test_a_load_killed_half_way_leaves_the_previous_data_intact(live_db: Path, tmp_path: Path, delay: float) -> None:
    report = write_referral_csv(live_db, tmp_path / "双向转诊.csv", 300_000)
    before = sha256(live_db)
    with duckdb.connect(str(live_db), read_only=True) as con:
        events = con.execute("select count(*) from referral").fetchall()[0][0]

    process = subprocess.Popen(import_command(report, live_db, "--max-size-mb", "500"), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not list(live_db.parent.glob(f"{live_db.name}.loading-*")):
            assert process.poll() is None, "the load ended before it began writing"
            assert time.monotonic() < deadline, "the load never began writing"
            time.sleep(0.01)
        time.sleep(delay)
        assert process.poll() is None, "the load finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert sha256(live_db) == before
    with duckdb.connect(str(live_db), read_only=True) as con:
        assert con.execute("select count(*) from referral").fetchall()[0][0] == events
        assert con.execute("select count(*) from import_batch").fetchall()[0][0] == 0

    # The next load clears the half-written copy and goes through.
    small = tmp_path / "公共卫生.csv"
    with duckdb.connect(str(live_db), read_only=True) as con:
        town = con.execute("select code from region where level = 'town' and in_scope order by code limit 1").fetchall()
    small.write_bytes(csv_bytes("public_health", [
        {"town_code": town[0][0], "month": "2024-01", "indicator_code": "hpv_first_doses", "numerator": 1}]))
    assert loader.apply(live_db, loader.read_paths([small]), "tester").applied
    assert not list(live_db.parent.glob(f"{live_db.name}.loading-*"))
