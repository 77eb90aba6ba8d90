"""The county and facility profiles, and the links that lead to them: a link made by healthdash.ui.links,
opened on its own (AppTest with just its query parameters), shows the same county or facility."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from healthdash.core.filters import Filters
from healthdash.core.fmt import fmt_value
from healthdash.ui import links
from tests.support.app import open_page
from tests.support.places import alliance_code, facility_code, lookup, region_code
from tests.support.published import calibration

ROOT = Path(__file__).resolve().parents[3]


def page_files() -> dict[str, str]:
    """url_path -> page file, as app.py registers them (so a link's path must be a registered page)."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    pages = re.findall(r'st\.Page\(\s*"([^"]+)",(?:(?!st\.Page).)*?url_path="([^"]+)"', source, flags=re.S)
    return {url_path: file for file, url_path in pages}


def open_link(url: str, db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A fresh session opening `url` (relative, as the dashboard writes it) and nothing else."""
    parts = urlsplit(url)
    return open_page(db, monkeypatch, page_files()[parts.path], dict(parse_qsl(parts.query)))


def title(at: AppTest) -> str:
    return at.title[0].value


def texts(at: AppTest) -> str:
    parts = [el.value for kind in ("markdown", "caption", "info", "warning", "subheader") for el in getattr(at, kind)]
    return "\n".join(str(part) for part in parts)


def test_link_helpers_write_short_relative_urls() -> None:
    assert links.county_profile_url("450223") == "county?county=450223"
    assert links.facility_profile_url("H450223001") == "facility?facility=H450223001"
    filters = Filters(date(2018, 1, 1), date(2018, 12, 1), period="custom")
    assert links.county_profile_url("450223", filters) == "county?county=450223&period=custom&from=2018-01&to=2018-12"
    cell = links.labelled("county?county=450223", "鹿寨县")
    assert links.label_of(cell) == "鹿寨县"
    assert urlsplit(cell).path == "county" and dict(parse_qsl(urlsplit(cell).query)) == {"county": "450223"}


def test_county_link_round_trip(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = region_code(demo_db, "鹿寨县")
    at = open_link(links.county_profile_url(code), demo_db, monkeypatch)
    assert title(at) == "鹿寨县 · 区县画像"
    assert at.selectbox(key="profile_county").value == code
    assert at.metric, "the headline is shown"


def test_county_link_carries_its_period(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = region_code(demo_db, "鹿寨县")
    filters = Filters(date(2018, 1, 1), date(2018, 12, 1), period="custom")
    at = open_link(links.county_profile_url(code, filters), demo_db, monkeypatch)
    assert "2018年" in at.caption[0].value
    published = calibration("county_retention_rate", "鹿寨县")
    assert (published["period_from"], published["period_to"]) == ("2018-01", "2018-12")
    retention = next(m for m in at.metric if m.label == "县域内就诊率")
    assert float(retention.value.rstrip("%")) == pytest.approx(float(published["value"]), abs=0.1)


def test_facility_link_round_trip_and_its_volume(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = facility_code(demo_db, "鹿寨县人民医院")
    filters = Filters(date(2024, 1, 1), date(2024, 6, 1), period="custom")
    at = open_link(links.facility_profile_url(code, filters), demo_db, monkeypatch)
    assert title(at) == "鹿寨县人民医院"
    assert at.selectbox(key=links.FACILITY_KEY).value == code
    visits = lookup(demo_db, """select sum(outpatient_visits) from service_volume
                                where facility_code = $code and month between '2024-01-01' and '2024-06-01'""",
                    code=code)
    shown = next(m.value for m in at.metric if m.label == "门急诊人次")
    assert shown == fmt_value(visits, "人次")  # the independent sum, in the dashboard's number format
    # its alliances, with its role in each, independently from alliance_member
    memberships = next(frame.value for frame in at.dataframe if "角色" in frame.value.columns)
    expected = lookup(demo_db, """select count(*) from alliance_member where facility_code = $code
                                  and joined <= '2024-06-30'""", code=code)
    assert len(memberships) == expected
    assert "牵头单位" in set(memberships["角色"])


def test_a_click_on_a_place_in_the_attention_table_opens_it_in_this_tab(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table shows names (no addresses); a click on one has the browser load that county's profile in
    the same tab, with the period of the view it was made from, and the link alone shows that county."""
    overview = open_page(demo_db, monkeypatch, query={"city": region_code(demo_db, "柳州市"), "period": "year",
                                                      "from": "2024-01"})
    table = next(frame.value for frame in overview.dataframe if "单位" in frame.value.columns)
    names = list(table["单位"])
    assert names, "some county of 柳州市 misses a target"
    assert all("?" not in name and "#" not in name for name in names), "names, not addresses"
    overview.session_state["attention"] = {"selection": {"rows": [], "columns": [], "cells": [(0, "单位")]}}
    overview.run()
    assert not overview.exception
    scripts = [element.proto.body for element in overview.get("html") if "location.assign" in element.proto.body]
    assert len(scripts) == 1, "the click makes the browser load the place's link"
    url = re.search(r'location\.assign\("([^"]+)"\)', scripts[0]).group(1)
    assert dict(parse_qsl(urlsplit(url).query)) == {
        "county": region_code(demo_db, names[0]), "period": "year", "from": "2024-01"}
    assert title(open_link(url, demo_db, monkeypatch)) == f"{names[0]} · 区县画像"


def test_every_internal_link_names_a_page_of_the_navigation() -> None:
    filters = Filters(date(2018, 1, 1), date(2018, 12, 1), period="custom")
    for url in (links.county_profile_url("450223", filters), links.facility_profile_url("H1", filters),
                links.alliance_url("A009", filters), links.OVERVIEW_PAGE + "?city=450200"):
        script, query = links.destination(links.labelled(url, "名称"))
        assert script in page_files().values(), url
        assert query.get("period") in (None, "custom")
    assert links.destination("./?city=450200")[0] == "pages/overview.py", "the Overview is the app's root"
    assert links.destination("https://example.org/county") is None


def test_a_table_of_links_names_each_row_as_its_single_link_does() -> None:
    """The links of a table (built for thousands of rows at once) are the links of each row alone."""
    for filters in (None, Filters(date(2018, 1, 1), date(2018, 12, 1), period="custom")):
        codes, names = ["450223", None, "H1 A"], ["鹿寨县", "无", "机构 & 1"]
        for many, one in ((links.county_links, links.county_profile_url),
                          (links.facility_links, links.facility_profile_url), (links.alliance_links, links.alliance_url)):
            expected = [links.labelled(one(code, filters), name) if code else None
                        for code, name in zip(codes, names, strict=True)]
            assert many(codes, names, filters) == expected
            assert [links.label_of(cell) for cell in expected if cell] == ["鹿寨县", "机构 & 1"]


def test_county_profile_sections_match_the_base_tables(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = region_code(demo_db, "鹿寨县")
    filters = Filters(date(2024, 1, 1), date(2024, 6, 1), period="custom")
    at = open_link(links.county_profile_url(code, filters), demo_db, monkeypatch)
    ranking = next(frame.value for frame in at.dataframe if "名次" in frame.value.columns)
    busiest = lookup(demo_db, """select f.name from service_volume v join facility f on f.code = v.facility_code
                                 join region r on r.code = f.region_code
                                 where (r.code = $code or r.parent_code = $code)
                                   and v.month between '2024-01-01' and '2024-06-01'
                                 group by f.name order by sum(v.outpatient_visits) desc limit 1""", code=code)
    assert links.label_of(ranking["机构"].iloc[0]) == busiest
    alliances = next(frame.value for frame in at.dataframe if "服务地区" in frame.value.columns)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        expected = {name for (name,) in con.execute(
            """select distinct a.name from alliance a join alliance_member m on m.alliance_code = a.code
               join facility f on f.code = m.facility_code join region r on r.code = f.region_code
               where (r.code = $code or r.parent_code = $code) and m.joined <= '2024-06-30'""",
            {"code": code}).fetchall()}
    assert {links.label_of(cell) for cell in alliances["医联体"]} == expected
    assert len(expected) > 1, "鹿寨 hospitals also sit in 柳州市 specialty alliances"
    towns = next(frame.value for frame in at.dataframe if "乡镇/街道" in frame.value.columns)
    assert len(towns) == lookup(demo_db, "select count(*) from region where parent_code = $code", code=code)


@pytest.mark.parametrize(
    ("page", "query", "says"),
    [
        ("pages/county_profile.py", {}, "请选择一个区县"),
        ("pages/facility_profile.py", {}, "请选择一家医院或卫生院"),
        ("pages/facility_profile.py", {"facility": "H000' or 1=1"}, "已忽略"),
        ("pages/county_profile.py", {"town": "百丈镇", "alliance": "名山区医共体"}, "乡镇和医联体在此页不适用"),
        ("pages/county_profile.py", {"county": "名山区", "period": "custom", "from": "2017-01", "to": "2017-01",
                                     "cmp": "mom"}, "就医格局"),
        ("pages/facility_profile.py", {"facility": "鹿寨县中渡镇卫生院", "period": "month"}, "参加的医联体"),
    ],
)
def test_profiles_under_several_selections(demo_db: Path, monkeypatch: pytest.MonkeyPatch, page: str, query: dict,
                                           says: str) -> None:
    resolved = {}
    for key, value in query.items():
        if key in ("county", "town"):
            value = region_code(demo_db, value)
        elif key == "alliance":
            value = alliance_code(demo_db, value)
        elif key == "facility" and not value.startswith("H"):
            value = facility_code(demo_db, value)
        resolved[key] = value
    at = open_page(demo_db, monkeypatch, page, resolved)
    assert says in texts(at) + "\n".join(w.value for w in at.sidebar.warning)


def test_a_village_clinic_without_alliances_shows_empty_states(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = str(lookup(demo_db, """select f.code from facility f where f.tier = 'village'
                                  and f.code not in (select facility_code from alliance_member) limit 1"""))
    at = open_link(links.facility_profile_url(code), demo_db, monkeypatch)
    assert "本机构在本期末没有参加医联体" in texts(at)


def test_picking_a_county_on_the_page_sets_the_shared_selection(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "pages/county_profile.py")
    code = region_code(demo_db, "名山区")
    at.selectbox(key="profile_county").set_value(code).run()
    assert not at.exception
    assert title(at) == "名山区 · 区县画像"
    assert at.query_params["county"] in ([code], code)


def test_a_receiver_outside_the_monitored_places_still_has_a_profile(demo_db: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Out-of-county referrals name provincial hospitals: their links must open, with what is known."""
    code, name = duckdb.connect(str(demo_db), read_only=True).execute(
        """select f.code, f.name from facility f join facility_geo g on g.facility_code = f.code
           where not g.in_scope and f.code in (select to_facility from referral_flow_monthly) limit 1""").fetchone()
    at = open_link(links.facility_profile_url(code), demo_db, monkeypatch)
    assert title(at) == name
    assert not at.warning and not at.sidebar.warning
    assert "不在本看板监测的地区内" in texts(at)
    received = next(frame.value for frame in at.dataframe if "对方机构" in frame.value.columns)
    assert len(received) > 0


def test_a_link_to_a_facility_outside_the_selection_opens_then_the_picker_moves_on(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The picker lists the sidebar's facilities; a link may name one elsewhere (looked up alone, not by
    listing the province's): it opens, heads the picker, and the picker then moves to one of the county's.
    A code no account can open is dropped with a note."""
    county, elsewhere = region_code(demo_db, "鹿寨县"), facility_code(demo_db, "荣县人民医院")
    mine = facility_code(demo_db, "鹿寨县中医医院")
    # The county chosen in the sidebar, then a link followed in the same tab: the address has both.
    at = open_link(f"{links.facility_profile_url(elsewhere)}&county={county}", demo_db, monkeypatch)
    assert title(at) == "荣县人民医院" and not at.warning
    picker = at.selectbox(key=links.FACILITY_KEY)
    assert picker.options[1].startswith("荣县人民医院") and any(o.startswith("鹿寨县中医医院") for o in picker.options)
    picker.set_value(mine).run()
    assert not at.exception and title(at) == "鹿寨县中医医院"
    assert at.query_params["facility"] in ([mine], mine) and at.query_params["county"] in ([county], county)
    assert not any(o.startswith("荣县人民医院") for o in at.selectbox(key=links.FACILITY_KEY).options)

    at = open_link(f"{links.facility_profile_url('H999999999')}&county={county}", demo_db, monkeypatch)
    assert "facility=H999999999" in " ".join(w.value for w in at.warning)
    assert title(at) != "荣县人民医院"


def test_county_profile_lists_elderly_care_by_town_and_the_towns_without(demo_db: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    code = region_code(demo_db, "荣县")
    with duckdb.connect(str(demo_db), read_only=True) as con:
        beds = dict(con.execute("""select r.name, sum(e.beds) from region r left join elderly_care e
                on e.town_code = r.code and e.month = '2025-06-01' where r.parent_code = $county group by r.name""",
                                {"county": code}).fetchall())
    at = open_link(links.county_profile_url(code, Filters(date(2025, 1, 1), date(2025, 6, 1), period="custom")),
                   demo_db, monkeypatch)
    table = next(frame.value for frame in at.dataframe if "床位使用率" in frame.value.columns)
    assert dict(zip(table["乡镇/街道"], table["床位合计"], strict=True)) == {
        name: f"{int(n):,}" for name, n in beds.items()}
    without = [name for name, n in beds.items() if n == 0]
    assert without and all(name in at.warning[0].value for name in without)
    assert f"{len(beds) - len(without)}个**有医养结合床位" in texts(at)


def test_profiles_show_the_workforce_and_pathogen_network(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filters = Filters(date(2025, 1, 1), date(2025, 12, 1), period="year")
    code = region_code(demo_db, "荣县")
    county = open_link(links.county_profile_url(code, filters), demo_db, monkeypatch)
    assert not county.exception
    assert "卫生人力与执业注册" in [subheader.value for subheader in county.subheader]
    labels = [metric.label for metric in county.metric]
    assert {"每千人口执业（助理）医师数", "每千人口注册护士数", "乡村医生执业注册率"} <= set(labels)
    physicians = lookup(demo_db, """select sum(w.physicians) from workforce_register w join facility f on f.code = w.facility_code
                                    join region r on r.code = f.region_code
                                    where (r.code = $code or r.parent_code = $code) and w.month = '2025-12-01'""", code=code)
    population = lookup(demo_db, "select population from region where code = $code", code=code)
    shown = next(metric.value for metric in county.metric if metric.label == "每千人口执业（助理）医师数")
    assert shown == fmt_value(physicians / population * 1000, "人/千人")
    assert "病原鉴定网络：本区县成员单位本期送检" in texts(county)
    centre = facility_code(demo_db, "自贡市疾病预防控制中心")
    facility = open_link(links.facility_profile_url(centre, filters), demo_db, monkeypatch)
    assert not facility.exception
    assert "病原鉴定网络中心实验室：本期为 **6** 家成员单位" in texts(facility)
