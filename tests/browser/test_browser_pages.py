"""Every page of the navigation in a real browser, and the shared selection driven through the UI.

Each page registered in app.py opens in Chinese without an exception, an error box or a request leaving the
machine (the data page opens locked); each shared filter changed in the sidebar reruns the page cleanly and
lands in the URL; a click on the referrals ranking narrows the page; a reload shows the same view; the
language switch gives English labels. One server, browser and tab serve the whole module (every test opens
its URL afresh, which starts a new Streamlit session). Screenshots at 1280×720: artifacts/screenshots/page-*.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from healthdash.core.i18n import t
from healthdash.ui.navigation import app_pages
from tests.browser.helpers import (
    PageLog,
    assert_clean,
    drop_deep_link_noise,
    open_page,
    page_exceptions,
    save_screenshot,
    wait_until_idle,
)
from tests.browser.plugin import new_page
from tools import headless

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u4e00-\u9fff]")
PAGES = app_pages()
LOCKED = {"data"}  # behind the data officers' password: opens locked
SIDEBAR = '[data-testid="stSidebar"]'
METRIC_VALUE = '[data-testid="stMetricValue"]'
BADGE = '[data-testid="stPageLink"]:has-text("数据截至")'


def zh(key: str) -> str:
    return t(key, lang="zh")


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def shared(browser, app_server):
    """One tab for the module, its requests and errors recorded like the plugin's `page` fixture."""
    log = PageLog()
    tab = new_page(browser, app_server.url, log)
    context = tab.context
    # The root first: a deep link as the very first request of a fresh server is a known Streamlit quirk.
    open_page(tab, "/")
    try:
        yield tab, log
    finally:
        context.close()


@pytest.fixture
def page_log(shared) -> PageLog:
    log = shared[1]
    log.clear()
    return log


@pytest.fixture
def page(shared, page_log, request: pytest.FixtureRequest):
    tab = shared[0]
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        try:
            save_screenshot(tab, f"FAILED-{request.node.name}", full_page=False)
        except Exception as exc:  # a broken page must not hide the test's own failure
            print(f"[browser] no screenshot of the failure: {exc}")


@pytest.fixture(scope="module")
def places(browser_db: Path) -> dict[str, str]:
    """A county named in the seed reports (鹿寨县), its city, its first town and an alliance serving it."""
    with duckdb.connect(str(browser_db), read_only=True) as con:
        county, county_name, city, city_name = con.execute("""
            select c.code, c.name, p.code, p.name from region c join region p on p.code = c.parent_code
            where c.name = '鹿寨县'""").fetchone()
        town, town_name = con.execute(
            "select code, name from region where parent_code = $county and level = 'town' order by code limit 1",
            {"county": county}).fetchone()
    return {"city": city, "city_name": city_name, "county": county, "county_name": county_name,
            "town": town, "town_name": town_name}


# ---------------------------------------------------------------------------------------------- helpers


def url_params(page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(page.url).query).items()}


def widget(page, testid: str, label: str):
    """The sidebar widget of type `testid` whose label is `label`."""
    return page.locator(f'{SIDEBAR} [data-testid="{testid}"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label))


def choose(page, label: str, option: str, testid: str = "stSelectbox") -> None:
    """Pick `option` in the sidebar select (or multiselect) labelled `label`, the way a user does: click
    into it, type to narrow the list, click the option; then wait for the rerun."""
    widget(page, testid, label).locator('input[role="combobox"]').click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).first.click()
    if testid == "stMultiSelect":
        page.keyboard.press("Escape")
    wait_until_idle(page)


def shown_value(page, label: str) -> str:
    """What the sidebar select labelled `label` shows now (its placeholder when nothing is chosen)."""
    field = widget(page, "stSelectbox", label).locator('input[role="combobox"]')
    return field.input_value().strip() or (field.get_attribute("placeholder") or "").strip()


def headline_figure(page) -> str:
    return page.locator(METRIC_VALUE).first.inner_text().strip()


def assert_no_errors(page, log: PageLog, what: str) -> None:
    errors = page_exceptions(page)
    assert not errors, f"{what}: the page shows {len(errors)} error(s):\n" + "\n".join(errors)
    drop_deep_link_noise(log)
    assert_clean(log, what)


# ---------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("nav", PAGES, ids=[nav.url_path for nav in PAGES])
def test_every_page_opens_in_chinese_without_errors(page, page_log, nav) -> None:
    open_page(page, "/" if nav.default else f"/{nav.url_path}")
    heading = page.locator("h1").first.inner_text(timeout=30_000)
    assert HAN.search(heading), f"/{nav.url_path}: the first heading has no Chinese: {heading!r}"
    assert HAN.search(page.title()), f"/{nav.url_path}: the title has no Chinese: {page.title()!r}"
    if nav.url_path in LOCKED:  # a password form, or (none configured) the note saying how to set one
        assert (page.locator('input[type="password"]').count()
                or page.get_by_text(zh("data.no_password")).count()), "the data page opens locked"
        assert not page.locator('[data-testid="stFileUploader"]').count(), "nothing to upload while locked"
    badge = page.locator(BADGE)
    assert badge.count() == 1, f"/{nav.url_path}: the 数据截至 · 上报率 badge under the header"
    # The text after the icon (a Material ligature: its name is text too).
    assert re.search(r"(^|\n)数据截至 \d{4}年\d{1,2}月 · 上报率 \d+\.\d%( +\* \d+家机构未上报)?$",
                     badge.inner_text().strip()), badge.inner_text()
    page.set_viewport_size(headless.VIEWPORT)
    save_screenshot(page, f"page-{nav.url_path}", full_page=False)
    assert_no_errors(page, page_log, f"/{nav.url_path}")


def test_the_badge_opens_data_quality_for_the_same_selection(page, page_log, places) -> None:
    open_page(page, f"/referrals?county={places['county']}")
    page.locator(BADGE).click()
    wait_until_idle(page)
    assert urlsplit(page.url).path.endswith("/quality") and url_params(page).get("county") == places["county"]
    assert page.locator("h1").first.inner_text() == zh("quality.page.title")
    assert page.locator(METRIC_VALUE).count() == 4, "上报率, 及时率, 未上报月报, 数据截至"
    assert_no_errors(page, page_log, "the quality page opened from the badge")


def test_each_shared_filter_changes_the_view_and_the_url_and_a_reload_keeps_it(page, page_log, places) -> None:
    open_page(page, "/")
    steps = [
        (zh("filters.city"), places["city_name"], "stSelectbox", "city", places["city"]),
        (zh("filters.county"), places["county_name"], "stSelectbox", "county", places["county"]),
        (zh("filters.town"), places["town_name"], "stSelectbox", "town", places["town"]),
        (zh("filters.tiers"), zh("tier.township"), "stMultiSelect", "tiers", "township"),
        (zh("filters.period"), zh("period.last12"), "stSelectbox", "period", "last12"),
    ]
    for label, option, testid, key, value in steps:
        choose(page, label, option, testid)
        assert url_params(page).get(key) == value, f"after choosing {option} in {label}: {page.url}"
        assert_no_errors(page, page_log, f"{label} = {option}")

    # Alliances on offer are those serving the places chosen: take the first.
    widget(page, "stSelectbox", zh("filters.alliance")).locator('input[role="combobox"]').click()
    alliances = [text for text in page.get_by_role("option").all_inner_texts() if text != zh("filters.all")]
    assert alliances, "鹿寨县 is served by at least one alliance"
    page.get_by_role("option", name=alliances[0], exact=True).first.click()
    wait_until_idle(page)
    assert url_params(page).get("alliance"), f"the alliance is in the URL: {page.url}"
    assert_no_errors(page, page_log, f"alliance = {alliances[0]}")

    widget(page, "stRadio", zh("filters.compare")).get_by_text(zh("compare.mom"), exact=True).click()
    wait_until_idle(page)
    assert url_params(page).get("cmp") == "mom"
    assert_no_errors(page, page_log, "comparison = 环比")

    labels = [zh(f"filters.{key}") for key in ("city", "county", "town", "alliance", "period")]
    before = {label: shown_value(page, label) for label in labels}
    figure = headline_figure(page)
    link = page.url
    assert before[zh("filters.town")] == places["town_name"] and before[zh("filters.alliance")] == alliances[0]

    page.reload(wait_until="domcontentloaded")
    wait_until_idle(page)
    assert page.url == link
    assert {label: shown_value(page, label) for label in labels} == before
    assert headline_figure(page) == figure
    assert_no_errors(page, page_log, "the reloaded link")


def test_a_click_on_the_referrals_ranking_narrows_the_page(page, page_log) -> None:
    open_page(page, "/referrals")
    assert "city" not in url_params(page)
    ranking = page.locator('[data-testid="stVegaLiteChart"]').first  # the ranking comes first on the page
    ranking.scroll_into_view_if_needed()
    bar = ranking.locator('path[aria-roledescription="bar"]').first
    name = bar.get_attribute("aria-label") or ""
    bar.click()
    wait_until_idle(page)
    city = url_params(page).get("city")
    assert city, f"a click on a city's bar puts the city in the URL: {page.url}"
    chosen = shown_value(page, zh("filters.city"))
    assert chosen != zh("filters.all_cities") and chosen in name, f"the sidebar shows the city clicked ({name!r})"
    assert_no_errors(page, page_log, "after the click on the ranking")


def test_a_page_switch_in_the_navigation_keeps_the_selection(page, page_log, places) -> None:
    """Each page draws the filters as its own widgets and Streamlit clears the URL on a page switch: the
    selection made on one page is still the one shown, and in the URL, on the next."""
    open_page(page, "/")
    choose(page, zh("filters.city"), places["city_name"])
    choose(page, zh("filters.period"), zh("period.last12"))
    before = url_params(page)
    assert (before["period"], before["city"]) == ("last12", places["city"])
    navigation = app_pages()
    for path in ("referrals", "public-health", "overview"):
        nav = next(nav for nav in navigation if nav.url_path == path)
        page.locator('[data-testid="stSidebarNavLink"]').nth(navigation.index(nav)).click()
        shown_path = "" if nav.default else nav.url_path  # the default page's address is "/"
        page.wait_for_url(re.compile(rf"/{re.escape(shown_path)}(\?|$)"))
        wait_until_idle(page)
        assert shown_value(page, zh("filters.period")) == zh("period.last12"), nav.url_path
        assert shown_value(page, zh("filters.city")) == places["city_name"], nav.url_path
        after = url_params(page)
        assert (after.get("period"), after.get("city")) == ("last12", places["city"]), nav.url_path
    assert_no_errors(page, page_log, "after switching pages")


def test_the_language_switch_gives_english_labels(page, page_log) -> None:
    open_page(page, "/")
    choose(page, zh("filters.language"), "English")
    assert url_params(page).get("lang") == "en"
    assert page.locator("h1").first.inner_text().strip() == t("overview.title", lang="en")
    nav = " ".join(page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts())
    assert t("nav.referrals", lang="en") in nav and t("nav.public_health", lang="en") in nav
    assert widget(page, "stSelectbox", t("filters.city", lang="en")).count() == 1, "the filters are in English"
    # The choices already made show in English too, not the Chinese label the browser drew before.
    assert shown_value(page, t("filters.period", lang="en")) == t("period.ytd", lang="en")
    compare = widget(page, "stRadio", t("filters.compare", lang="en"))
    assert compare.locator("input:checked").count() == 1, "the comparison still shows its choice"
    assert t("compare.yoy", lang="en") in compare.locator("label:has(input:checked)").inner_text()
    assert not HAN.search(page.locator(METRIC_VALUE).first.inner_text())
    save_screenshot(page, "page-overview-en", full_page=False)
    assert_no_errors(page, page_log, "English")
