"""The sign-in gate in front of every page (healthdash/ui/account.py), through AppTest: with sign-in on,
nothing is read before it; a signed-in county account's pages send its jurisdiction with every query and
offer only its own places; pages its role may not use are not there at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthdash.access.roles import Role
from healthdash.access.scope import Scope
from healthdash.data import db
from healthdash.ui.navigation import app_pages
from healthdash.ui.sidebar import filter_options
from tests.support.app import new_session
from tests.support.places import region_code
from tests.support.signed import signed_in, with_accounts


@pytest.fixture(scope="module")
def signed_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo (its accounts beside it, apart from the other tests') with three accounts."""
    county = Scope("county", region_code(demo_db, "鹿寨县"))
    return with_accounts(demo_db, tmp_path_factory.mktemp("gate") / "health.duckdb",
                         [("luzhai", Role.ANALYST, county), ("viewer", Role.VIEWER, county), ("nobody", Role.VIEWER, None)])


def test_with_sign_in_on_a_new_visitor_sees_only_the_form_and_nothing_is_read(
        signed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_AUTH", "required")
    asked: list[tuple[str, dict]] = []
    real = db.execute
    monkeypatch.setattr(db, "execute", lambda con, name, params=None, **kw: asked.append((name, params))
                        or real(con, name, params, **kw))
    at = new_session(signed_db, monkeypatch)
    at.query_params["county"] = region_code(signed_db, "鹿寨县")
    at.run()
    assert not at.exception
    assert [box.label for box in at.text_input][:2] == ["账户名", "密码"]
    assert not at.metric and not at.dataframe
    assert {name for name, _ in asked} <= {"dataset_meta"}, "nothing but the dataset's kind before sign-in"


def test_a_county_account_reads_within_its_county_on_every_page(signed_db: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    county = region_code(signed_db, "鹿寨县")
    asked: list[tuple[str, dict]] = []
    real = db.execute
    monkeypatch.setattr(db, "execute", lambda con, name, params=None, **kw: asked.append((name, dict(params or {})))
                        or real(con, name, params, **kw))
    at = signed_in(signed_db, monkeypatch, "luzhai")
    at.run()
    shown = {page.url_path for page in app_pages()} - {"data", "admin"}
    for page in app_pages():
        if page.url_path not in shown:
            continue
        at.switch_page(page.script)
        at.run()
        assert not at.exception, (page.url_path, [e.value for e in at.exception])
    scoped = [(name, params) for name, params in asked if name not in db.UNSCOPED]
    assert scoped, "the pages ran queries"
    wrong = {(name, params.get("scope_kind"), params.get("scope_code")) for name, params in scoped
             if (params.get("scope_kind"), params.get("scope_code")) != ("county", county)}
    assert wrong == set()
    # The sidebar offers the county alone (its city shown for where it sits), fixed.
    assert at.selectbox(key="flt_county").options == ["鹿寨县"]
    assert at.selectbox(key="flt_city").options == ["柳州市"]


def test_a_link_to_another_county_is_dropped_with_a_note(signed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in(signed_db, monkeypatch, "luzhai")
    at.query_params.update({"city": region_code(signed_db, "自贡市"), "county": region_code(signed_db, "荣县")})
    at.run()
    assert not at.exception
    assert any("不在您的权限范围内" in warning.value for warning in at.sidebar.warning)
    assert at.selectbox(key="flt_county").value == region_code(signed_db, "鹿寨县")
    assert "荣县" not in " ".join(str(element.value) for element in at.markdown)


def test_the_breadcrumb_of_a_county_account_offers_no_way_up(signed_db: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """鹿寨县's account reads 全部地市 › 柳州市 › 鹿寨县 as text: neither is a link it could widen the page to."""
    at = signed_in(signed_db, monkeypatch, "luzhai")
    at.run()
    assert not at.exception
    crumbs = [button.key for button in at.button if (button.key or "").startswith("crumb_")]
    assert crumbs == [], crumbs
    assert {"全部地市", "柳州市"} <= {caption.value for caption in at.caption}
    town = next(code for code, (_, county) in filter_options().towns.items()
                if county == region_code(signed_db, "鹿寨县"))
    at.query_params["town"] = town
    at.run()
    assert [button.key for button in at.button if (button.key or "").startswith("crumb_")] == ["crumb_county"], \
        "from a town, back up to the county is in reach"


def test_pages_a_role_may_not_use_are_not_there(signed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in(signed_db, monkeypatch, "viewer")
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/whatif.py")  # not registered for a viewer: its URL opens the first page


def test_an_account_without_a_jurisdiction_sees_nothing(signed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in(signed_db, monkeypatch, "nobody")
    at.run()
    assert not at.exception
    values = [metric.value for metric in at.metric]
    assert all(value in ("—", "暂无数据") for value in values), values


@pytest.mark.parametrize(("address", "name", "signed_in"), [
    ("10.0.0.9", "luzhai", True),      # from the proxy: its header signs the person in
    ("10.0.0.77", "luzhai", False),    # the same header from anyone else counts for nothing
])
def test_a_trusted_proxy_header_signs_in_its_local_account(
        signed_db: Path, monkeypatch: pytest.MonkeyPatch, address: str, name: str, signed_in: bool) -> None:
    from healthdash.ui import account

    monkeypatch.setenv("HEALTHDASH_AUTH", "required")
    monkeypatch.setenv("HEALTHDASH_TRUSTED_HEADER", "X-Remote-User")
    monkeypatch.setenv("HEALTHDASH_TRUSTED_PROXIES", "10.0.0.9, 10.0.0.10")
    monkeypatch.setattr(account, "_request_headers", lambda: {"x-remote-user": name})
    monkeypatch.setattr(account, "_client_address", lambda: address)
    at = new_session(signed_db, monkeypatch)
    at.run()
    assert not at.exception
    if signed_in:
        assert any("已登录：luzhai" in caption.value for caption in at.sidebar.caption)
        assert at.selectbox(key="flt_county").options == ["鹿寨县"]
    else:
        assert [box.label for box in at.text_input][:2] == ["账户名", "密码"] and not at.metric


def test_a_proxy_vouching_for_an_unknown_name_gets_a_message_and_nothing(
        signed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from healthdash.ui import account

    monkeypatch.setenv("HEALTHDASH_AUTH", "required")
    monkeypatch.setenv("HEALTHDASH_TRUSTED_HEADER", "X-Remote-User")
    monkeypatch.setenv("HEALTHDASH_TRUSTED_PROXIES", "10.0.0.9")
    monkeypatch.setattr(account, "_request_headers", lambda: {"X-Remote-User": "stranger"})
    monkeypatch.setattr(account, "_client_address", lambda: "10.0.0.9")
    at = new_session(signed_db, monkeypatch)
    at.run()
    assert not at.exception
    assert "stranger" in at.error[0].value and not at.metric
