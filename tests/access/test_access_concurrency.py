"""Two server processes writing to one account store at once, on SQLite (WAL) and on PostgreSQL: no write is
lost or refused, and the lockout count holds across processes (exactly five wrong passwords are checked
before the lock, however the attempts of the two interleave)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from healthdash.access import accounts, audit, signin
from healthdash.access.audit import Action
from healthdash.access.store import Store

ROOT = Path(__file__).resolve().parents[2]
ROWS = 150
GUESSES = 10
# Slow enough (≈ 25 ms a check) that both processes have attempts in flight at once.
ITERATIONS = 100_000

WORKER = """
import json, sys, time
from pathlib import Path
from healthdash.access import audit, signin
from healthdash.access.store import Store

location, name, folder, rows, guesses, iterations = sys.argv[1:]
store = Store(location, iterations=int(iterations))
Path(folder, f"ready-{name}").touch()
while not Path(folder, "go").exists():
    time.sleep(0.005)
outcomes = []
for number in range(int(guesses)):
    outcomes.append(signin.sign_in(store, "shared", f"wrong-{name}-{number}", None).outcome)
    for row in range(int(rows) // int(guesses)):
        audit.record(store, "export", actor=name, address=None, scope=None, detail={"row": row, "guess": number})
print(json.dumps(outcomes))
"""


def run_two(location: str, folder: Path) -> list[str]:
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, location, name, str(folder), str(ROWS), str(GUESSES),
                                 str(ITERATIONS)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in ("one", "two")]
    deadline = time.monotonic() + 60
    while not all((folder / f"ready-{name}").exists() for name in ("one", "two")):
        assert time.monotonic() < deadline and all(worker.poll() is None for worker in workers), [
            worker.communicate() for worker in workers if worker.poll() is not None]
        time.sleep(0.01)
    (folder / "go").touch()
    outcomes: list[str] = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        outcomes += json.loads(out)
    return outcomes


def test_two_processes_write_at_once_and_share_the_lockout(location: str, tmp_path: Path) -> None:
    store = Store(location, iterations=ITERATIONS)
    accounts.add_account(store, "shared", "viewer", None, "right-password", by="admin")
    outcomes = run_two(location, tmp_path)

    assert sorted(outcomes) == ["locked"] * (2 * GUESSES - 4) + ["wrong"] * 4
    failed = audit.entries(store, action=Action.SIGN_IN_FAILED)
    assert sorted(entry.detail["reason"] for entry in failed) == ["locked"] * (2 * GUESSES - 5) + ["wrong"] * 5
    assert len(audit.entries(store, action=Action.LOCKOUT)) == 1
    exports = audit.entries(store, action=Action.EXPORT)
    assert len(exports) == 2 * ROWS and len({entry.id for entry in exports}) == 2 * ROWS
    assert {entry.actor for entry in exports} == {"one", "two"}
    assert signin.sign_in(store, "shared", "right-password", None).outcome == "locked"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    import sqlite3

    Store(tmp_path / "accounts.sqlite").close()
    with sqlite3.connect(tmp_path / "accounts.sqlite") as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
