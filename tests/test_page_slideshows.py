"""Every monitoring page offers its sections as a slideshow in presenter mode (?present=1): the start
button is there, and stepping with 下一张 shows each slide in turn, without an error, to the last one.

The data page has none: it is a data officer's form, not something shown on a projector.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent

# page file -> (deck name, a query that gives the page something to show)
PAGES = {
    "pages/overview.py": ("overview", {}),
    "pages/referrals.py": ("referrals", {}),
    "pages/alliances.py": ("alliances", {}),
    "pages/whatif.py": ("whatif", {}),
    "pages/public_health.py": ("public_health", {}),
    "pages/county_profile.py": ("county", {"county": ("region", "鹿寨县")}),
    "pages/facility_profile.py": ("facility", {"facility": ("facility", "鹿寨县人民医院")}),
}


def code_of(db: Path, table: str, name: str) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return str(con.execute(f"select code from {table} where name = $name", {"name": name}).fetchone()[0])


def slide_number(at: AppTest) -> tuple[int, int]:
    shown = [m.value.strip("*") for m in at.markdown if m.value.startswith("**") and " / " in m.value]
    assert len(shown) == 1, shown
    current, total = shown[0].split(" / ")
    return int(current), int(total)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_steps_through_its_slides(page: str, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deck, query = PAGES[page]
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update({key: code_of(demo_db, *where) for key, where in query.items()})
    at.switch_page(page)
    # AppTest runs the page file itself, not app.py's presenter.setup() that reads ?present=1 into this.
    at.session_state["present"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    at.button(key=f"slides_{deck}_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    current, total = slide_number(at)
    assert current == 1 and total >= 2, f"{page}: {total} slides"
    while True:
        next_button = at.button(key=f"slides_{deck}_next")
        if current == total:
            assert next_button.disabled
            break
        next_button.click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert slide_number(at) == (current + 1, total)
        current += 1
    assert at.query_params["slide"] in (str(total), [str(total)])
