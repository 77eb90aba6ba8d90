"""A chosen period holds, and every name and bar leads somewhere, in a real browser.

An official opens a link with a period (2018, 2024年1–6月, a quarter), then changes one widget after another
on three pages, switches pages, the language and presenter mode, reloads: after every step the page header
and the URL still show that period. The custom range is set through the picker with the mouse and with the
keyboard. Drill-down: a ranking bar narrows the page, the breadcrumb goes back up, a name in a table opens
its view in the same tab, and the browser's Back button returns to the view before. Every kind of internal
link opens a page, never Streamlit's "Page not found". Screenshots: artifacts/screenshots/selection-*.
"""

# The tab fixtures are imported from test_browser_pages, and arguments of the same names take them.
# ruff: noqa: F811

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb
import pytest

from healthdash.core.filters import Filters
from healthdash.core.fmt import fmt_period
from healthdash.core.i18n import t
from healthdash.ui import links
from healthdash.ui.navigation import app_pages
from tests.browser.helpers import open_page, save_screenshot, wait_until_idle
from tests.browser.test_browser_pages import (  # noqa: F401 (fixtures)
    SIDEBAR,
    assert_no_errors,
    choose,
    page,
    page_log,
    places,
    shared,
    shown_value,
    url_params,
    widget,
    zh,
)

pytestmark = pytest.mark.browser

MAIN = '[data-testid="stMain"]'
NOT_FOUND = "Page not found"


@dataclass(frozen=True)
class Period:
    name: str
    query: dict[str, str]
    first: date
    last: date

    def text(self, lang: str = "zh") -> str:
        return fmt_period(self.first, self.last, lang=lang)


PERIODS = [
    Period("custom-2018", {"period": "custom", "from": "2018-01", "to": "2018-12"}, date(2018, 1, 1), date(2018, 12, 1)),
    Period("custom-2024h1", {"period": "custom", "from": "2024-01", "to": "2024-06"}, date(2024, 1, 1), date(2024, 6, 1)),
    Period("quarter-2024q2", {"period": "quarter_of", "from": "2024-04"}, date(2024, 4, 1), date(2024, 6, 1)),
]


def header_line(page) -> str:
    """The selection as the page header shows it (the title line's caption; in presenter mode, its line)."""
    presenting = page.locator(".hd-selection-line")
    if presenting.count():
        return presenting.first.inner_text()
    return page.locator(f'{MAIN} [data-testid="stCaptionContainer"]').first.inner_text()


def assert_period(page, period: Period, step: str, lang: str = "zh") -> None:
    shown = header_line(page)
    assert period.text(lang) in shown.split(" · "), f"after {step}: the header shows {shown!r}"
    params = url_params(page)
    assert {key: params.get(key) for key in period.query} == period.query, f"after {step}: {page.url}"


def nav_to(page, url_path: str) -> None:
    """Switch pages through the navigation, as a user does."""
    navigation = app_pages()
    index = next(i for i, nav in enumerate(navigation) if nav.url_path == url_path)
    page.locator('[data-testid="stSidebarNavLink"]').nth(index).click()
    wait_until_idle(page)


def pick_in_main(page, label: str, option_index: int = 1) -> str:
    """Choose the `option_index`th option of the page's own select labelled `label`; returns its text."""
    select = page.locator(f'{MAIN} [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)).first
    select.scroll_into_view_if_needed()
    select.locator('input[role="combobox"]').click()
    option = page.get_by_role("option").nth(option_index)
    text = option.inner_text()
    option.click()
    wait_until_idle(page)
    return text


def click_first_bar(page) -> str:
    """Click the first bar of the first chart (the ranking); returns the bar's description."""
    chart = page.locator(f'{MAIN} [data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    bar = chart.locator('path[aria-roledescription="bar"]').first
    name = bar.get_attribute("aria-label") or ""
    bar.click()
    wait_until_idle(page)
    return name


def click_first_name(page, table_index: int = 0) -> None:
    """Click the first name in a table (the first column of its first row), as a user does."""
    grid = page.locator(f'{MAIN} [data-testid="stDataFrame"]').nth(table_index)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 30, box["y"] + 55)  # below the header row, inside the first column
    wait_until_idle(page)


# ---------------------------------------------------------------------------------------------- period


@pytest.mark.parametrize("period", PERIODS, ids=[period.name for period in PERIODS])
def test_a_period_from_a_link_holds_through_every_step(page, page_log, places, period: Period) -> None:
    query = "&".join(f"{key}={value}" for key, value in {"county": places["county"], **period.query}.items())
    open_page(page, f"/?{query}")
    assert_period(page, period, "opening the link")

    # Every shared filter in turn, on the Overview.
    widget(page, "stRadio", zh("filters.compare")).get_by_text(zh("compare.mom"), exact=True).click()
    wait_until_idle(page)
    assert url_params(page).get("cmp") == "mom"
    assert_period(page, period, "环比")
    choose(page, zh("filters.tiers"), zh("tier.township"), "stMultiSelect")
    assert_period(page, period, "机构层级")
    choose(page, zh("filters.town"), places["town_name"])
    assert_period(page, period, "乡镇")
    widget(page, "stSelectbox", zh("filters.alliance")).locator('input[role="combobox"]').click()
    page.get_by_role("option").nth(1).click()
    wait_until_idle(page)
    assert url_params(page).get("alliance"), "an alliance is chosen"
    assert_period(page, period, "医联体")
    choose(page, zh("filters.alliance"), zh("filters.all"))
    choose(page, zh("filters.town"), zh("filters.all"))
    assert_period(page, period, "乡镇 = 全部")
    # The page's own widget.
    pick_in_main(page, zh("overview.ranking_indicator"))
    assert_period(page, period, "排名指标")

    # Other pages and their own widgets.
    nav_to(page, "referrals")
    assert_period(page, period, "双向转诊")
    pick_in_main(page, zh("referrals.focus"))
    assert url_params(page).get("facility"), "a facility is in focus"
    assert_period(page, period, "聚焦机构")
    nav_to(page, "public-health")
    assert_period(page, period, "公共卫生")
    pick_in_main(page, zh("public_health.pick"))
    assert_period(page, period, "选择指标")

    # Language, presenter mode and a reload.
    choose(page, zh("filters.language"), "English")
    assert_period(page, period, "English", lang="en")
    assert shown_value(page, t("filters.period", lang="en")) == t(f"period.{period.query['period']}", lang="en")
    page.locator(SIDEBAR).get_by_text(t("presenter.toggle", lang="en"), exact=True).click()
    wait_until_idle(page)
    assert url_params(page).get("present") == "1"
    assert_period(page, period, "presenter mode", lang="en")
    page.reload(wait_until="domcontentloaded")
    wait_until_idle(page)
    assert_period(page, period, "reload in presenter mode", lang="en")
    page.get_by_role("button", name=t("presenter.exit", lang="en")).first.click()
    wait_until_idle(page)
    assert "present" not in url_params(page)
    assert_period(page, period, "leaving presenter mode", lang="en")
    save_screenshot(page, f"selection-{period.name}-en", full_page=False)
    assert_no_errors(page, page_log, f"{period.name}: every step")


def month_select(page, label: str):
    return widget(page, "stSelectbox", label).locator('input[role="combobox"]')


def test_a_custom_range_is_set_with_the_mouse_and_with_the_keyboard(page, page_log) -> None:
    open_page(page, "/")
    choose(page, zh("filters.period"), zh("period.custom"))
    # The mouse: open the list of 起始月份, narrow it by typing, click 2021年7月.
    choose(page, zh("filters.from"), "2021年7月")
    assert shown_value(page, zh("filters.from")) == "2021年7月"
    # The keyboard: focus 截止月份, type the month, Enter.
    month_select(page, zh("filters.to")).focus()
    page.keyboard.type("2021年12月")
    page.keyboard.press("Enter")
    wait_until_idle(page)
    chosen = Period("keyboard", {"period": "custom", "from": "2021-07", "to": "2021-12"},
                    date(2021, 7, 1), date(2021, 12, 1))
    assert_period(page, chosen, "the picker")
    widget(page, "stRadio", zh("filters.compare")).get_by_text(zh("compare.mom"), exact=True).click()
    wait_until_idle(page)
    assert_period(page, chosen, "环比 after the picker")
    base = t("compare.base", lang="zh", period=fmt_period(date(2021, 1, 1), date(2021, 6, 1)))
    assert base in page.locator(SIDEBAR).inner_text()
    # A year, then a quarter of it: the quarter follows the year chosen.
    choose(page, zh("filters.period"), zh("period.year"))
    choose(page, zh("filters.year"), "2022年")
    assert_period(page, Period("year", {"period": "year", "from": "2022-01"}, date(2022, 1, 1), date(2022, 12, 1)),
                  "年份")
    choose(page, zh("filters.period"), zh("period.quarter_of"))
    assert shown_value(page, zh("filters.quarter")).startswith("2022年")
    save_screenshot(page, "selection-picker", full_page=False)
    assert_no_errors(page, page_log, "the period picker")


# ---------------------------------------------------------------------------------------------- drill-down


def breadcrumb(page):
    return page.locator(f"{MAIN} .st-key-breadcrumb")


def test_the_overview_ranking_drills_down_and_the_breadcrumb_goes_back_up(page, page_log) -> None:
    open_page(page, "/?period=year&from=2024-01")
    assert not breadcrumb(page).count(), "no breadcrumb at the top level"
    city_bar = click_first_bar(page)
    city = url_params(page).get("city")
    assert city, f"a click on a city's bar narrows the page to it: {page.url}"
    assert shown_value(page, zh("filters.city")) in city_bar
    click_first_bar(page)
    county = url_params(page).get("county")
    assert county, f"a click on a county's bar narrows the page to it: {page.url}"
    trail = breadcrumb(page).inner_text()
    assert zh("filters.all_cities") in trail and shown_value(page, zh("filters.county")) in trail
    assert url_params(page).get("period") == "year", "the period holds through the drill-down"
    save_screenshot(page, "selection-breadcrumb", full_page=False)

    page.go_back()
    wait_until_idle(page)
    assert "county" not in url_params(page) and url_params(page).get("city") == city, "Back: the city again"
    page.go_forward()
    wait_until_idle(page)
    assert url_params(page).get("county") == county

    breadcrumb(page).get_by_role("button").nth(1).click()  # the city
    wait_until_idle(page)
    assert url_params(page).get("city") == city and "county" not in url_params(page)
    breadcrumb(page).get_by_role("button").first.click()  # 全部地市
    wait_until_idle(page)
    assert "city" not in url_params(page) and not breadcrumb(page).count()
    assert url_params(page).get("period") == "year"
    assert_no_errors(page, page_log, "drill-down on the Overview")


def test_a_name_in_the_attention_table_opens_in_the_same_tab_and_back_returns(page, page_log, places) -> None:
    tabs = len(page.context.pages)
    # A city: 需要关注 names its counties, which open their profile.
    open_page(page, f"/?city={places['city']}&period=year&from=2024-01")
    before = page.url
    click_first_name(page)
    assert page.url.split("?")[0].endswith("/county"), f"the county profile opens: {page.url}"
    assert url_params(page).get("period") == "year" and url_params(page).get("from") == "2024-01"
    assert not page.get_by_text(NOT_FOUND).count()
    assert len(page.context.pages) == tabs, "no new tab"
    page.go_back()
    wait_until_idle(page)
    assert page.url == before, "Back returns to the Overview of the city"
    # A county: 需要关注 names its towns, which narrow the Overview.
    open_page(page, f"/?county={places['county']}&period=year&from=2024-01")
    click_first_name(page, table_index=0)
    assert url_params(page).get("town"), f"a town's name narrows the Overview to it: {page.url}"
    assert not page.get_by_text(NOT_FOUND).count() and len(page.context.pages) == tabs
    assert_no_errors(page, page_log, "names in the attention table")


def test_a_facility_name_in_the_county_profile_opens_its_profile(page, page_log, places) -> None:
    open_page(page, f"/county?county={places['county']}&period=year&from=2024-01")
    before = page.url
    headings = page.locator(f"{MAIN} h1").first.inner_text()
    click_first_name(page, table_index=0)
    assert page.url != before, "a click on a name opens its view"
    assert not page.get_by_text(NOT_FOUND).count()
    assert page.locator(f"{MAIN} h1").first.inner_text() != headings
    page.go_back()
    wait_until_idle(page)
    assert page.url == before
    assert_no_errors(page, page_log, "a name in the county profile")


def test_every_kind_of_internal_link_opens_a_page(page, page_log, places, browser_db) -> None:
    filters = Filters(date(2018, 1, 1), date(2018, 12, 1), period="custom")
    with duckdb.connect(str(browser_db), read_only=True) as con:
        facility = con.execute("select code from facility where region_code like $county || '%' order by code",
                               {"county": places["county"]}).fetchone()[0]
        alliance = con.execute("select code from alliance order by code").fetchone()[0]
    urls = {
        "county": links.county_profile_url(places["county"], filters),
        "facility": links.facility_profile_url(facility, filters),
        "alliance": links.alliance_url(alliance, filters),
        "overview": f"{links.OVERVIEW_PAGE}?city={places['city']}&period=custom&from=2018-01&to=2018-12",
    }
    for kind, url in urls.items():
        open_page(page, "/" + url.removeprefix("./"))
        assert not page.get_by_text(NOT_FOUND).count(), f"{kind}: {url} opens a page"
        assert re.search("2018年", header_line(page)), f"{kind}: the period of the link is shown"
    assert_no_errors(page, page_log, "every kind of link")



def test_a_place_in_the_public_health_scorecard_narrows_the_page(page, page_log, places) -> None:
    open_page(page, f"/public-health?city={places['city']}&period=year&from=2024-01")
    click_first_name(page, table_index=0)  # the scorecard comes first
    county = url_params(page).get("county")
    assert county, f"a click on a county's name narrows the page to it: {page.url}"
    assert page.url.split("?")[0].endswith("/public-health") and url_params(page).get("period") == "year"
    assert shown_value(page, zh("filters.county")) in breadcrumb(page).inner_text()
    page.go_back()
    # Back is one step (links.open_url loads the link as a click would); under load the page may still be
    # on its way there when go_back returns, so wait for the address it comes back to
    page.wait_for_function("() => !new URLSearchParams(location.search).has('county')", timeout=30_000)
    wait_until_idle(page)
    assert "county" not in url_params(page) and url_params(page).get("city") == places["city"]
    # A bar of the immunisation chart (places one level down): the same drill-down.
    title = page.get_by_text(zh("public_health.immunization_title"), exact=True).last  # the chart's, not a header
    chart = title.locator("xpath=following::*[@data-testid='stVegaLiteChart'][1]")
    chart.scroll_into_view_if_needed()
    chart.locator('path[aria-roledescription="bar"]').first.click()
    wait_until_idle(page)
    assert url_params(page).get("county"), f"a click on a place's bar narrows the page to it: {page.url}"
    assert_no_errors(page, page_log, "a place in the scorecard")


def test_the_alliance_comparison_and_member_list_lead_on(page, page_log, places) -> None:
    open_page(page, f"/alliances?county={places['county']}&period=year&from=2024-01")
    # The registry's first row, by its checkbox: that alliance is selected; then none again.
    registry = page.locator(f'{MAIN} [data-testid="stDataFrame"]').first
    registry.scroll_into_view_if_needed()
    box = registry.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 14, box["y"] + 55)
    wait_until_idle(page)
    assert url_params(page).get("alliance"), f"a row's checkbox selects its alliance: {page.url}"
    choose(page, zh("filters.alliance"), zh("filters.all"))
    assert "alliance" not in url_params(page)
    hint = page.get_by_text(zh("alliances.comparison_click"), exact=True)
    chart = hint.locator("xpath=preceding::*[@data-testid='stVegaLiteChart'][1]")
    chart.scroll_into_view_if_needed()
    chart.locator('path[aria-roledescription="bar"]').first.click()
    wait_until_idle(page)
    alliance = url_params(page).get("alliance")
    assert alliance, f"a click on a bar selects that alliance: {page.url}"
    assert shown_value(page, zh("filters.alliance")) != zh("filters.all")
    # The selected alliance's member list: a name opens the facility's profile in this tab.
    page.get_by_text(zh("alliances.member_list")).first.click()
    members = page.locator(f'{MAIN} [data-testid="stExpander"] [data-testid="stDataFrame"]').first
    members.scroll_into_view_if_needed()
    before = page.url
    box = members.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 30, box["y"] + 55)
    wait_until_idle(page)
    assert page.url.split("?")[0].endswith("/facility") and url_params(page).get("facility"), page.url
    assert url_params(page).get("period") == "year"
    page.go_back()
    wait_until_idle(page)
    assert page.url == before
    assert_no_errors(page, page_log, "the alliances page's links")


def test_a_name_in_the_facility_profile_opens_its_view(page, page_log, browser_db, places) -> None:
    with duckdb.connect(str(browser_db), read_only=True) as con:
        lead = con.execute("""select a.lead_facility from alliance a where a.home_region = $county
                              order by a.code""", {"county": places["county"]}).fetchone()[0]
    open_page(page, f"/facility?facility={lead}&period=year&from=2024-01")
    before = page.url
    heading = page.locator(f"{MAIN} h1").first.inner_text()
    click_first_name(page, table_index=1)  # the first table is the facility's licensing register: no names
    assert page.url != before and not page.get_by_text(NOT_FOUND).count()
    assert page.locator(f"{MAIN} h1").first.inner_text() != heading
    page.go_back()
    wait_until_idle(page)
    assert page.url == before
    assert_no_errors(page, page_log, "a name in the facility profile")
