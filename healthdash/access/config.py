"""Access settings: whether sign-in is on, where the accounts live, how long a session lasts.

Each setting comes from its environment variable, else from the [access] table of the configuration file,
else its default. The file is $HEALTHDASH_CONFIG, else .streamlit/secrets.toml in the project folder (the
accounts URL may hold a database password, and that file is already kept out of git):

| variable | [access] key | values | default |
|---|---|---|---|
| HEALTHDASH_AUTH | auth | `required` (sign-in on) or `off` | on for a production database, off for the demo |
| HEALTHDASH_ACCOUNTS_URL | accounts_url | `postgresql://user:password@host/db`, or a path of an SQLite file | `accounts.sqlite` beside the DuckDB file |
| HEALTHDASH_SESSION_HOURS | session_hours | hours a session lasts at most | 8 |
| HEALTHDASH_IDLE_MINUTES | idle_minutes | minutes a session lasts without a request | 60 |
| HEALTHDASH_TRUSTED_HEADER | trusted_header | the header a reverse proxy (统一身份认证) puts the account name in | none |
| HEALTHDASH_TRUSTED_PROXIES | trusted_proxies | the proxies' addresses, comma-separated; the header counts only from them | none |
| HEALTHDASH_OIDC | oidc | `on`: offer the identity provider of Streamlit's [auth] settings (st.login) | off |

A value that is none of these stops with a Chinese message (AccessError): a typo in a security switch
must not silently leave the dashboard open.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from healthdash.access.errors import AccessError
from healthdash.core.paths import ROOT

DEFAULT_FILE = ROOT / ".streamlit" / "secrets.toml"
SECTION = "access"
AUTH_VALUES = ("required", "off")
ACCOUNTS_FILE = "accounts.sqlite"

ENV = {
    "auth": "HEALTHDASH_AUTH",
    "accounts_url": "HEALTHDASH_ACCOUNTS_URL",
    "session_hours": "HEALTHDASH_SESSION_HOURS",
    "idle_minutes": "HEALTHDASH_IDLE_MINUTES",
    "trusted_header": "HEALTHDASH_TRUSTED_HEADER",
    "trusted_proxies": "HEALTHDASH_TRUSTED_PROXIES",
    "oidc": "HEALTHDASH_OIDC",
}
SWITCH_VALUES = ("on", "off")
CONFIG_ENV = "HEALTHDASH_CONFIG"


@dataclass(frozen=True)
class AccessConfig:
    auth: str | None = None            # 'required', 'off', or None: decided by the kind of database
    accounts_url: str | None = None    # None: SQLite beside the database
    session_hours: float = 8.0
    idle_minutes: float = 60.0
    trusted_header: str | None = None  # None: no reverse proxy signs people in
    trusted_proxies: tuple[str, ...] = ()
    oidc: bool = False

    @property
    def session_seconds(self) -> float:
        return self.session_hours * 3600

    @property
    def idle_seconds(self) -> float:
        return self.idle_minutes * 60


def _file_settings(path: Path) -> Mapping[str, object]:
    try:
        with open(path, "rb") as handle:
            section = tomllib.load(handle).get(SECTION, {})
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise AccessError("config_file", path=str(path), reason=str(error)) from None
    return section if isinstance(section, Mapping) else {}


def load_config(environ: Mapping[str, str] | None = None, file: Path | None = None) -> AccessConfig:
    """The settings in force: `environ` (default: the process's) over the file (default: $HEALTHDASH_CONFIG
    or .streamlit/secrets.toml)."""
    environ = os.environ if environ is None else environ
    path = file or Path(environ.get(CONFIG_ENV) or DEFAULT_FILE)
    from_file = _file_settings(path)

    def setting(key: str) -> str | None:
        value = environ.get(ENV[key])
        if value is None or not value.strip():
            value = from_file.get(key)
        return None if value is None or not str(value).strip() else str(value).strip()

    auth = setting("auth")
    if auth is not None and auth.lower() not in AUTH_VALUES:
        raise AccessError("config_auth", value=auth)
    header, proxies = setting("trusted_header"), setting("trusted_proxies")
    addresses = tuple(part.strip() for part in (proxies or "").split(",") if part.strip())
    if header and not addresses:  # a header anyone could send would sign anyone in
        raise AccessError("config_trusted_proxies", header=header)
    oidc = (setting("oidc") or "off").lower()
    if oidc not in SWITCH_VALUES:
        raise AccessError("config_oidc", value=oidc)
    return AccessConfig(
        trusted_header=header,
        trusted_proxies=addresses,
        oidc=oidc == "on",
        auth=auth.lower() if auth else None,
        accounts_url=setting("accounts_url"),
        session_hours=_positive("session_hours", setting("session_hours"), AccessConfig.session_hours),
        idle_minutes=_positive("idle_minutes", setting("idle_minutes"), AccessConfig.idle_minutes),
    )


def _positive(key: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number > 0 or number == float("inf"):
        raise AccessError("config_number", name=ENV[key], value=value)
    return number


def auth_required(dataset_kind: str, config: AccessConfig | None = None) -> bool:
    """Whether the dashboard asks for sign-in: as configured, else off on the demo database (whose
    figures are simulated) and on for every other database."""
    config = load_config() if config is None else config
    if config.auth is not None:
        return config.auth == "required"
    return dataset_kind != "demo"


def accounts_location(db: Path, config: AccessConfig | None = None) -> str:
    """Where the accounts live: the configured URL or path, else accounts.sqlite in the database's folder
    (beside the DuckDB file, never inside it: a load swaps that file whole)."""
    config = load_config() if config is None else config
    return config.accounts_url or str(Path(db).with_name(ACCOUNTS_FILE))


def trusted_name(config: AccessConfig, headers: Mapping[str, str], address: str | None) -> str | None:
    """The account name a configured reverse proxy vouches for: its header, only on a request from one of
    the configured proxy addresses (anyone else could send the header too); None otherwise."""
    if not config.trusted_header or address is None or address not in config.trusted_proxies:
        return None
    wanted = config.trusted_header.lower()
    value = next((str(text) for key, text in headers.items() if key.lower() == wanted), "")
    return value.strip() or None
