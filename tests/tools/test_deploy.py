"""deploy/: the nginx site and the systemd units take their settings from the one env file; HEALTHDASH_PROCESSES
dashboard processes, each a healthdash@<port> instance, make the nginx upstream."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def settings(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def configure(tmp_path: Path, env_text: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "healthdash.env").write_text(env_text, encoding="utf-8")
    return subprocess.run([str(DEPLOY / "configure.sh"), str(tmp_path / "healthdash.env"), str(tmp_path / "site.conf"),
                           str(tmp_path), str(tmp_path)], capture_output=True, text=True, check=False)


def test_the_nginx_site_is_rendered_from_the_env_file_with_streamlits_websocket(tmp_path: Path) -> None:
    env = (DEPLOY / "healthdash.env").read_text(encoding="utf-8")
    env = env.replace("dashboard.wjw.example.gov.cn", "jk.wjw.test").replace("HEALTHDASH_PORT=8501", "HEALTHDASH_PORT=8642")
    env = env.replace("HEALTHDASH_MAX_LOAD_MB=50", "HEALTHDASH_MAX_LOAD_MB=77")
    assert configure(tmp_path, env).returncode == 0
    site = (tmp_path / "site.conf").read_text(encoding="utf-8")
    assert "${HEALTHDASH" not in site
    assert "server_name jk.wjw.test;" in site
    assert re.findall(r"server 127\.0\.0\.1:(\d+);", site) == ["8642"], "one process by default, as before"
    assert "client_max_body_size 77m;" in site
    stream = site[site.index("location /_stcore/stream"):]
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 'proxy_set_header Connection "upgrade";', "proxy_read_timeout 86400s;"):
        assert line in stream
    assert (tmp_path / "healthdash.service").is_file() and (tmp_path / "healthdash").is_file()
    assert wanted(tmp_path) == ["healthdash@8642.service"]
    assert (tmp_path / "healthdash-briefing.service").is_file() and (tmp_path / "healthdash-briefing.timer").is_file()


def wanted(unit_dir: Path) -> list[str]:
    """The instances healthdash.service starts (what `systemctl enable healthdash@<port>` would link)."""
    links = sorted((unit_dir / "healthdash.service.wants").iterdir())
    assert all(link.resolve() == (unit_dir / "healthdash@.service").resolve() for link in links)
    return [link.name for link in links]


def test_several_processes_make_the_upstream_and_the_instances(tmp_path: Path) -> None:
    env = (DEPLOY / "healthdash.env").read_text(encoding="utf-8").replace("HEALTHDASH_PROCESSES=1", "HEALTHDASH_PROCESSES=3")
    assert configure(tmp_path, env).returncode == 0
    site = (tmp_path / "site.conf").read_text(encoding="utf-8")
    upstream = site[site.index("upstream healthdash {"):site.index("}", site.index("upstream healthdash {"))]
    assert re.findall(r"server 127\.0\.0\.1:(\d+);", upstream) == ["8501", "8502", "8503"]
    # Sticky: the balancing method comes before keepalive (nginx requires it), keyed by the route cookie.
    assert upstream.index("hash $healthdash_route consistent;") < upstream.index("keepalive")
    assert "add_header Set-Cookie $healthdash_new_route;" in site
    assert wanted(tmp_path) == ["healthdash@8501.service", "healthdash@8502.service", "healthdash@8503.service"]

    # Fewer processes: the extra instance is no longer wanted and the output says to stop it.
    done = configure(tmp_path, env.replace("HEALTHDASH_PROCESSES=3", "HEALTHDASH_PROCESSES=2"))
    assert done.returncode == 0 and "systemctl stop healthdash@8503" in done.stdout
    assert wanted(tmp_path) == ["healthdash@8501.service", "healthdash@8502.service"]
    assert re.findall(r"server 127\.0\.0\.1:(\d+);", (tmp_path / "site.conf").read_text(encoding="utf-8")) == ["8501", "8502"]


def test_an_env_file_from_before_processes_keeps_one_process(tmp_path: Path) -> None:
    env = (DEPLOY / "healthdash.env").read_text(encoding="utf-8").replace("HEALTHDASH_PROCESSES=1\n", "")
    assert "HEALTHDASH_PROCESSES" not in settings(env)
    assert configure(tmp_path, env).returncode == 0
    assert wanted(tmp_path) == ["healthdash@8501.service"]


@pytest.mark.parametrize("processes", ["0", "two", "33"])
def test_a_wrong_number_of_processes_stops_configure(tmp_path: Path, processes: str) -> None:
    env = (DEPLOY / "healthdash.env").read_text(encoding="utf-8").replace("HEALTHDASH_PROCESSES=1", f"HEALTHDASH_PROCESSES={processes}")
    done = configure(tmp_path, env)
    assert done.returncode == 1 and "HEALTHDASH_PROCESSES" in done.stderr
    assert not (tmp_path / "site.conf").exists()


def test_every_variable_the_units_and_the_site_use_is_in_the_env_file() -> None:
    defined = settings((DEPLOY / "healthdash.env").read_text(encoding="utf-8"))
    assert defined["HEALTHDASH_PROCESSES"] == "1", "one process unless the operator asks for more"
    unit = (DEPLOY / "healthdash.service").read_text(encoding="utf-8") + (DEPLOY / "healthdash@.service").read_text(encoding="utf-8")
    site = (DEPLOY / "nginx-healthdash.conf.in").read_text(encoding="utf-8")
    briefing = (DEPLOY / "healthdash-briefing.service").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{(HEALTHDASH_\w+)\}", unit + site + briefing))
    assert used and used <= defined.keys()
    assert {"HEALTHDASH_BRIEFING_DIR", "HEALTHDASH_BRIEFING_PERIOD", "HEALTHDASH_BRIEFING_PLACE",
            "HEALTHDASH_BRIEFING_FORMATS", "HEALTHDASH_BRIEFING_LANG"} <= used
    assert defined["HEALTHDASH_BRIEFING_FORMATS"] == "docx,pptx,pdf", "the timer writes what the pages offer"
    assert "EnvironmentFile=/etc/healthdash/healthdash.env" in briefing
    timer = (DEPLOY / "healthdash-briefing.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-11 " in timer and "Persistent=true" in timer, "after the reports' due day, caught up"
    assert "EnvironmentFile=/etc/healthdash/healthdash.env" in unit
    instance = (DEPLOY / "healthdash@.service").read_text(encoding="utf-8")
    assert "--server.port %i" in instance and "PartOf=healthdash.service" in instance
    assert "healthdash check" in (DEPLOY / "healthdash.service").read_text(encoding="utf-8"), "once, before every process"
    assert defined["HEALTHDASH_DB"].startswith("/var/lib/healthdash/"), "the database lives outside the bundle"


def test_a_missing_setting_stops_configure_with_a_chinese_message(tmp_path: Path) -> None:
    env = (DEPLOY / "healthdash.env").read_text(encoding="utf-8").replace("HEALTHDASH_PORT=8501\n", "")
    done = configure(tmp_path, env)
    assert done.returncode == 1 and "缺少 HEALTHDASH_PORT" in done.stderr
    assert not (tmp_path / "site.conf").exists()
