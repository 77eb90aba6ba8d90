"""Every monitoring page offers its sections as a slideshow in presenter mode (?present=1): the start
button is there, and stepping with 下一张 shows each section's slide in turn, under its own title,
without an error, to the last one, with the data badge (数据截至 · 上报率) in the selection line.

The data page has none: it is a data officer's form, not something shown on a projector.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import new_session
from tests.support.places import facility_code, region_code

# page file -> (deck name, a query that gives the page something to show)
PAGES = {
    "pages/overview.py": ("overview", {}),
    "pages/referrals.py": ("referrals", {}),
    "pages/alliances.py": ("alliances", {}),
    "pages/whatif.py": ("whatif", {}),
    "pages/public_health.py": ("public_health", {}),
    "pages/county_profile.py": ("county", {"county": (region_code, "鹿寨县")}),
    "pages/facility_profile.py": ("facility", {"facility": (facility_code, "鹿寨县人民医院")}),
    "pages/quality.py": ("quality", {}),
}


def slide_title(at: AppTest) -> str:
    titles = [h.value for h in at.html if "hd-slide-title" in h.value]
    assert len(titles) == 1, titles
    return titles[0]


def slide_number(at: AppTest) -> tuple[int, int]:
    shown = [m.value.strip("*") for m in at.markdown if m.value.startswith("**") and " / " in m.value]
    assert len(shown) == 1, shown
    current, total = shown[0].split(" / ")
    return int(current), int(total)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_steps_through_its_slides(page: str, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deck, query = PAGES[page]
    at = new_session(demo_db, monkeypatch)
    at.query_params.update({key: code(demo_db, name) for key, (code, name) in query.items()})
    at.switch_page(page)
    # After switch_page AppTest runs the page file alone, without app.py's presenter.setup() that reads
    # ?present=1 into this.
    at.session_state["present"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    at.button(key=f"slides_{deck}_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    current, total = slide_number(at)
    assert current == 1 and total >= 2, f"{page}: {total} slides"
    titles = []
    while True:
        titles.append(slide_title(at))
        lines = [h.value for h in at.html if h.value.startswith('<p class="hd-selection-line"')]
        assert len(lines) == 1 and "数据截至" in lines[0] and "上报率" in lines[0], f"the data badge on {page}: {lines}"
        next_button = at.button(key=f"slides_{deck}_next")
        if current == total:
            assert next_button.disabled
            break
        next_button.click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert slide_number(at) == (current + 1, total)
        current += 1
    assert at.query_params["slide"] in (str(total), [str(total)])
    assert len(set(titles)) == total, f"each slide shows a section of its own: {titles}"


def test_the_what_if_slides_say_which_levers_are_set(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_session(demo_db, monkeypatch)
    at.query_params.update({"back": "30", "res_bed": "10"})
    at.switch_page("pages/whatif.py")
    at.session_state["present"] = True
    at.run()
    at.button(key="slides_whatif_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [line] = [h.value for h in at.html if h.value.startswith('<p class="hd-selection-line"')]
    # 预留号源 20% is the lever's default: set, so said.
    assert "杠杆：回流30%，号源20%，床位10%" in line and "数据截至" in line
