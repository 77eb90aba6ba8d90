"""Sign-in in a real browser, on a server with sign-in required: the session holds over a reload and a new
tab, sign-out ends it, an idle session asks again, five wrong passwords lock the account, and a county
account opening links to another county, one of its facilities and one of its alliances reads none of it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from healthdash.access import accounts
from healthdash.access.roles import Role
from healthdash.access.scope import PROVINCE, Scope, file_reader
from healthdash.access.store import open_store
from tests.browser.helpers import PageLog, open_page, save_screenshot, sign_in, wait_until_idle
from tests.support.places import alliance_code, facility_code, region_code

pytestmark = pytest.mark.browser

PASSWORD = "鹿寨-browser-2026"


def _with_accounts(browser_db: Path, folder: Path) -> Path:
    db = folder / "health.duckdb"
    shutil.copyfile(browser_db, db)
    store = open_store(db, iterations=1_000)
    for name, role, scope in (("luzhai", Role.VIEWER, Scope("county", region_code(db, "鹿寨县"))),
                              ("locked", Role.VIEWER, Scope("county", region_code(db, "鹿寨县"))),
                              ("province", Role.ADMIN, PROVINCE)):
        accounts.add_account(store, name, role, scope, PASSWORD, by="test", registry=file_reader(db),
                             must_change=False)
    store.close()
    return db


@pytest.fixture(scope="module")
def signed_server(browser_db: Path, tmp_path_factory: pytest.TempPathFactory, start_app):
    folder = tmp_path_factory.mktemp("access")
    with start_app(_with_accounts(browser_db, folder), folder, env={"HEALTHDASH_AUTH": "required"}) as server:
        yield server


@pytest.fixture
def tab(page_for, signed_server):
    page = page_for(signed_server.url, PageLog())
    try:
        yield page
    finally:
        page.context.close()


def body(page) -> str:
    return page.inner_text("body")


def test_the_session_holds_over_a_reload_and_a_new_tab_and_sign_out_ends_it(tab) -> None:
    open_page(tab, "/")
    assert tab.get_by_label("账户名").is_visible() and "县域内就诊率" not in body(tab)
    sign_in(tab, "luzhai", PASSWORD)
    assert "已登录：luzhai" in body(tab)
    tab.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)  # the Overview of the account's county
    assert "鹿寨县" in body(tab)
    save_screenshot(tab, "access_signed_in")

    tab.reload()
    wait_until_idle(tab)
    assert "已登录：luzhai" in body(tab), "a reload needs no new sign-in"
    second = tab.context.new_page()
    open_page(second, "/referrals")
    assert "已登录：luzhai" in body(second), "nor does a new tab"

    tab.get_by_role("button", name="退出登录").click()
    wait_until_idle(tab)
    assert tab.get_by_label("账户名").is_visible()
    second.reload()
    wait_until_idle(second)
    assert second.get_by_label("账户名").is_visible(), "signing out ends the session everywhere"


def test_five_wrong_passwords_lock_the_account(tab) -> None:
    open_page(tab, "/")
    for _ in range(5):
        sign_in(tab, "locked", "not-the-password", accepted=False)
    assert "已被锁定" in body(tab)
    sign_in(tab, "locked", PASSWORD, accepted=False)
    assert "已被锁定" in body(tab) and "已登录" not in body(tab), "even the right password waits out the lock"


def test_a_county_account_reads_nothing_of_another_county(tab, signed_server) -> None:
    db = Path(signed_server.log_path).parent / "health.duckdb"
    other_county, other_city = region_code(db, "荣县"), region_code(db, "自贡市")
    other_hospital = facility_code(db, "荣县人民医院")
    other_alliance = alliance_code(db, "荣县医共体")
    open_page(tab, "/")
    sign_in(tab, "luzhai", PASSWORD)
    for path in (f"/?city={other_city}&county={other_county}", f"/referrals?county={other_county}",
                 f"/public-health?county={other_county}", f"/alliances?alliance={other_alliance}",
                 f"/county?county={other_county}", f"/facility?facility={other_hospital}"):
        open_page(tab, path, allow_error_alerts=True)
        text = body(tab)
        assert "荣县" not in text and "自贡市" not in text, path
        assert "鹿寨县" in text, f"{path}: the account's own county is what it sees"
    save_screenshot(tab, "access_other_county_dropped")


def test_the_province_admin_reads_every_city(tab, signed_server) -> None:
    db = Path(signed_server.log_path).parent / "health.duckdb"
    open_page(tab, "/")
    sign_in(tab, "province", PASSWORD)
    open_page(tab, f"/?county={region_code(db, '荣县')}")
    assert "荣县" in body(tab) and "自贡市" in body(tab)
    # The city box sits at the foot of a 720 px sidebar, where its list has no room to open: a taller tab.
    tab.set_viewport_size({"width": 1280, "height": 1000})
    tab.get_by_label("地市").click()
    tab.get_by_role("option").first.wait_for()  # the list opens after the click, later on a busy machine
    options = tab.get_by_role("option").all_inner_texts()
    assert {"柳州市", "自贡市", "六安市", "焦作市"} <= set(options), options


def test_an_idle_session_asks_again(browser_db: Path, tmp_path_factory: pytest.TempPathFactory, start_app,
                                   page_for) -> None:
    folder = tmp_path_factory.mktemp("idle")
    env = {"HEALTHDASH_AUTH": "required", "HEALTHDASH_IDLE_MINUTES": "0.05"}  # three seconds
    with start_app(_with_accounts(browser_db, folder), folder, env=env) as server:
        page = page_for(server.url, PageLog())
        try:
            open_page(page, "/")
            sign_in(page, "luzhai", PASSWORD)
            assert "已登录：luzhai" in body(page)
            time.sleep(4)
            page.reload()
            wait_until_idle(page)
            assert page.get_by_label("账户名").is_visible(), "after the idle timeout the form comes back"
        finally:
            page.context.close()
