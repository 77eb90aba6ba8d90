"""A table of links draws at any size: its names are blue up to links.STYLED_CELLS, plain beyond (a
province's 41,000 facilities on the referrals page once raised "the dataframe has 530816 cells")."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def page(rows: int) -> None:
    import pandas as pd

    from healthdash.ui import links

    frame = pd.DataFrame({"机构": [f"https://example.invalid/facility?code=H{n}#机构{n}" for n in range(rows)],
                          **{f"列{k}": range(rows) for k in range(12)}})
    links.table(frame, "facilities", column_config={"机构": links.link_column("机构")})


def test_a_table_of_links_draws_beyond_what_pandas_styles() -> None:
    for rows in (50, 45_000):
        at = AppTest.from_function(page, args=(rows,)).run(timeout=60)
        assert not at.exception, at.exception
        assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == rows
        assert at.dataframe[0].value["机构"].iloc[-1] == f"机构{rows - 1}", "the name a link shows"
