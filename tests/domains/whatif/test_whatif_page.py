"""情景推演 and presenter mode as a user sees them, driven through AppTest on the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import open_page
from tests.support.places import region_code
from tests.support.published import calibration

WHATIF = "pages/whatif.py"


def open_whatif(at: AppTest, query: dict[str, str] | None = None) -> AppTest:
    at.query_params.update(query or {})
    at.switch_page(WHATIF)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def comparison(at: AppTest) -> dict[str, tuple[str, str]]:
    """指标 -> (推演前, 推演后) from the before/after table."""
    table = at.dataframe[0].value
    return {row["指标"]: (row["推演前"], row["推演后"]) for _, row in table.iterrows()}


def test_levers_come_from_the_url_and_go_back_into_it(app: AppTest) -> None:
    open_whatif(app, {"back": "30", "shift": "12", "fd_mode": "teams", "fd_teams": "20", "fd_size": "1200",
                      "res_appt": "25"})
    assert not app.warning
    assert app.slider(key="back").value == 30
    assert app.slider(key="shift").value == 12
    assert app.radio(key="fd_mode").value == "teams"
    assert app.slider(key="fd_teams").value == 20
    assert app.slider(key="fd_size").value == 1200
    assert app.slider(key="res_appt").value == 25
    assert app.slider(key="res_bed").value == 10, "untouched levers keep their default"

    app.slider(key="back").set_value(45).run()
    assert not app.exception
    assert param(app, "back") == "45"
    assert param(app, "shift") == "12", "other levers stay in the link"
    app.slider(key="back").set_value(0).run()
    assert param(app, "back") is None, "a lever at its default leaves the link"


def test_levers_at_zero_change_nothing_and_bringing_back_raises_the_in_county_share(app: AppTest) -> None:
    open_whatif(app)
    rows = comparison(app)
    assert len(rows) == 9
    assert all(before == after for before, after in rows.values())

    app.slider(key="back").set_value(50).run()
    before, after = comparison(app)["县域内住院人次占比"]
    assert float(after.rstrip("%")) > float(before.rstrip("%"))
    before, after = comparison(app)["县外转诊人次"]
    assert before != after


def test_before_values_match_the_published_retention_rate(app: AppTest, demo_db: Path) -> None:
    row = calibration("county_retention_rate", "鹿寨县")
    open_whatif(app, {"county": region_code(demo_db, "鹿寨县"), "period": "custom",
                      "from": row["period_from"], "to": row["period_to"]})
    before, _ = comparison(app)["县域内就诊率"]
    assert float(before.rstrip("%")) == pytest.approx(float(row["value"]), abs=0.1)


@pytest.mark.parametrize(
    ("query", "dropped"),
    [
        ({"back": "abc"}, "back=abc"),
        ({"shift": "99"}, "shift=99"),
        ({"down": "1e9"}, "down=1e9"),
        ({"res_bed": "-5"}, "res_bed=\\-5"),
        ({"fd_add": "12.5"}, "fd_add=12\\.5"),
        ({"fd_mode": "<script>"}, "fd_mode="),
    ],
)
def test_malformed_lever_values_are_dropped_with_a_note(app: AppTest, query: dict, dropped: str) -> None:
    open_whatif(app, query)
    notes = " ".join(warning.value for warning in app.warning)
    assert "已忽略" in notes and dropped in notes
    key = next(iter(query))
    assert param(app, key) is None, "the bad value leaves the link"
    assert len(app.dataframe) >= 1, "the page still shows the scenario"


def test_a_click_on_a_county_in_the_ranking_narrows_the_page_to_it(
    app: AppTest, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from healthdash.domains.whatif import data as whatif
    from healthdash.ui import widgets
    from healthdash.ui.sidebar import KEY

    county = region_code(demo_db, "鹿寨县")
    pending = {"county_code": county}
    real = widgets.selected_values
    monkeypatch.setattr(widgets, "selected_values", lambda event, name, field: (
        [pending.pop(field)] if name == whatif.RANKING_CLICK and field in pending else real(event, name, field)))
    open_whatif(app, {"city": region_code(demo_db, "柳州市")})
    assert not app.exception
    assert app.selectbox(key=KEY["county"]).value == county
    assert param(app, "county") == county


def test_before_down_up_ratio_is_the_overviews(app: AppTest, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The what-if starts from the dashboard's own figure: 下转/上转比 counts out-of-county referrals upward."""
    query = {"county": region_code(demo_db, "鹿寨县"), "period": "custom", "from": "2024-01", "to": "2024-12"}
    open_whatif(app, query)
    before, _ = comparison(app)["下转/上转比"]
    overview = open_page(demo_db, monkeypatch, query=query)
    shown = next(metric.value for metric in overview.metric if metric.label == "下转/上转比")
    assert before == shown
