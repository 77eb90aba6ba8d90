"""`python -m healthdash build-demo` creates the sample accounts and prints each once, in a Chinese table,
with a password that signs in; sign-in itself stays off on the demo."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from healthdash.access import signin
from healthdash.access.config import auth_required
from healthdash.access.store import open_store

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ("demo-admin", "demo-city-analyst", "demo-county-viewer", "demo-county-officer", "demo-alliance-viewer",
           "demo-facility-viewer")


def test_build_demo_prints_sample_accounts_that_sign_in(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "health.duckdb"
    done = subprocess.run([sys.executable, "-m", "healthdash", "build-demo", "--db", str(db), "--scale", "0.05"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "示例账户" in out and "密码只显示这一次" in out
    printed = {match[0]: match for match in re.findall(r"^\s+(demo-[\w-]+)\s+(\S+)\s+(.+?)\s{2,}(\S+)$", out,
                                                       flags=re.MULTILINE)}
    assert set(printed) == set(SAMPLES), out
    assert printed["demo-admin"][1:3] == ("管理员", "全省")
    assert printed["demo-county-viewer"][1] == "查看" and printed["demo-county-viewer"][2].startswith("区县 ")
    store = open_store(db)
    for name, _role, _scope, password in printed.values():
        attempt = signin.sign_in(store, name, password, "127.0.0.1")
        assert attempt.ok and not attempt.must_change, (name, attempt.outcome)
    store.close()
    monkeypatch.delenv("HEALTHDASH_AUTH", raising=False)
    assert not auth_required("demo"), "the demo's sign-in stays off by default"
