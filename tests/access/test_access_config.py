"""Whether sign-in is on and where the accounts live: environment over the configuration file over the
defaults (off on the demo database, on for every other); a value that is none of these stops."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthdash.access.config import AccessConfig, accounts_location, auth_required, load_config
from healthdash.access.errors import AccessError
from healthdash.access.store import POSTGRESQL, SQLITE, Store

NO_FILE = Path("/nonexistent/healthdash.toml")


@pytest.mark.parametrize(("kind", "setting", "required"), [
    ("demo", None, False), ("production", None, True), ("anything else", None, True),
    ("demo", "required", True), ("demo", "REQUIRED", True), ("production", "off", False), ("demo", "off", False),
    ("production", "", True),  # set but empty counts as unset
])
def test_sign_in_is_off_on_the_demo_and_on_elsewhere_unless_configured(kind: str, setting: str | None,
                                                                       required: bool) -> None:
    environ = {} if setting is None else {"HEALTHDASH_AUTH": setting}
    assert auth_required(kind, load_config(environ, NO_FILE)) is required


def test_the_file_sets_what_the_environment_does_not(tmp_path: Path) -> None:
    file = tmp_path / "secrets.toml"
    file.write_text('[access]\nauth = "required"\naccounts_url = "postgresql://u:pw@db/accounts"\n'
                    "session_hours = 4\nidle_minutes = 30\n", encoding="utf-8")
    config = load_config({}, file)
    assert config == AccessConfig(auth="required", accounts_url="postgresql://u:pw@db/accounts", session_hours=4,
                                  idle_minutes=30)
    assert (config.session_seconds, config.idle_seconds) == (4 * 3600, 30 * 60)
    overridden = load_config({"HEALTHDASH_AUTH": "off", "HEALTHDASH_IDLE_MINUTES": "10"}, file)
    assert (overridden.auth, overridden.idle_minutes, overridden.session_hours) == ("off", 10, 4)
    assert load_config({"HEALTHDASH_CONFIG": str(file)}).auth == "required"


@pytest.mark.parametrize(("environ", "message"), [
    ({"HEALTHDASH_AUTH": "yes"}, "HEALTHDASH_AUTH（或配置文件 [access] auth）的值「yes」无效"),
    ({"HEALTHDASH_SESSION_HOURS": "0"}, "HEALTHDASH_SESSION_HOURS 的值「0」无效：应为正数。"),
    ({"HEALTHDASH_IDLE_MINUTES": "an hour"}, "HEALTHDASH_IDLE_MINUTES 的值「an hour」无效"),
    ({"HEALTHDASH_IDLE_MINUTES": "inf"}, "HEALTHDASH_IDLE_MINUTES 的值「inf」无效"),
])
def test_a_value_that_means_nothing_stops_with_a_chinese_message(environ: dict, message: str) -> None:
    with pytest.raises(AccessError) as refused:
        load_config(environ, NO_FILE)
    assert message in refused.value.zh


def test_a_broken_configuration_file_is_named(tmp_path: Path) -> None:
    file = tmp_path / "secrets.toml"
    file.write_text("[access\n", encoding="utf-8")
    with pytest.raises(AccessError, match="无法读取配置文件"):
        load_config({}, file)


def test_the_accounts_live_beside_the_database_unless_a_url_is_given(tmp_path: Path) -> None:
    db = tmp_path / "data" / "health.duckdb"
    assert accounts_location(db, AccessConfig()) == str(tmp_path / "data" / "accounts.sqlite")
    url = "postgresql://dash:secret@10.1.2.3/accounts"
    assert accounts_location(db, load_config({"HEALTHDASH_ACCOUNTS_URL": url}, NO_FILE)) == url


def test_a_url_chooses_postgresql_and_a_path_sqlite(store: Store, location: str) -> None:
    # The store tests' "postgresql" half runs on a real PostgreSQL server, not on SQLite under another name.
    with store.transaction(write=False) as tx:
        if location.startswith("postgresql://"):
            assert store.dialect is POSTGRESQL
            assert str(tx.one("select version() as v")["v"]).startswith("PostgreSQL ")
        else:
            assert store.dialect is SQLITE
            assert tx.one("select sqlite_version() as v")["v"]


def test_an_unreachable_store_is_said_in_chinese_without_its_password(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    with pytest.raises(AccessError, match="无法打开账户库"):
        Store(blocked / "accounts.sqlite")  # a folder that is a file
    socket_dir = tmp_path / "no-server"
    socket_dir.mkdir()
    with pytest.raises(AccessError) as refused:
        Store(f"postgresql://dash:s3cret@/accounts?host={socket_dir}&port=1")
    assert "无法打开账户库 postgresql://dash:***@" in refused.value.zh and "s3cret" not in str(refused.value)


def test_a_lost_postgresql_connection_is_said_once_and_then_reopened(pg_server) -> None:
    import psycopg

    from healthdash.access import accounts

    with pg_server.database() as url:
        store = Store(url)
        database = url.split("/")[3].split("?")[0]
        with psycopg.connect(pg_server.url(), autocommit=True) as admin:  # as a server restart would
            admin.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                          "where datname = %s and pid <> pg_backend_pid()", (database,))
        with pytest.raises(AccessError, match="无法打开账户库"):
            accounts.list_accounts(store)
        assert accounts.list_accounts(store) == []
        store.close()


def test_a_trusted_header_needs_the_proxies_it_may_come_from() -> None:
    from healthdash.access.config import trusted_name

    with pytest.raises(AccessError) as refused:
        load_config({"HEALTHDASH_TRUSTED_HEADER": "X-Remote-User"}, Path("/nonexistent"))
    assert "可信代理地址" in refused.value.zh
    config = load_config({"HEALTHDASH_TRUSTED_HEADER": "X-Remote-User",
                          "HEALTHDASH_TRUSTED_PROXIES": "10.0.0.9,10.0.0.10"}, Path("/nonexistent"))
    assert trusted_name(config, {"x-remote-user": " wang "}, "10.0.0.10") == "wang"
    assert trusted_name(config, {"x-remote-user": "wang"}, "10.0.0.11") is None
    assert trusted_name(config, {}, "10.0.0.9") is None
    assert trusted_name(load_config({}, Path("/nonexistent")), {"x-remote-user": "wang"}, "10.0.0.9") is None


def test_oidc_is_on_or_off() -> None:
    assert load_config({"HEALTHDASH_OIDC": "on"}, Path("/nonexistent")).oidc
    assert not load_config({}, Path("/nonexistent")).oidc
    with pytest.raises(AccessError):
        load_config({"HEALTHDASH_OIDC": "yes please"}, Path("/nonexistent"))
