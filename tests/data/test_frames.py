"""Query results reach pandas through Arrow (healthdash.data.frames): every page must get exactly the
frame DuckDB's `.df()` would have made, dtypes and missing values included."""

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.data.db import CATALOG, EVERYTHING, bind, execute, load_sql, open_readonly
from healthdash.data.frames import frame

# One column of each kind the queries return, each with and without a NULL.
TYPED = """
select * from (values
    ('a', null::varchar, 1, null::int, 1::bigint, true, null::boolean, date '2024-01-01', null::date, 1.5::double,
     1::hugeint, 2.5::decimal(10, 2), timestamp '2024-01-01 10:00', null::varchar, 7::utinyint),
    ('b', 'z', 2, 3, null::bigint, false, true, null, date '2024-02-01', null, null, null, null, null, 8)
) t(text, text_or_null, whole, whole_or_null, big_or_null, flag, flag_or_null, day, day_or_null, real, sum_of_whole,
    money, moment, never_text, small)
"""


@pytest.mark.parametrize("where", ["true", "false", "text = 'b'"])
def test_frames_equal_what_duckdb_makes_of_each_column_kind(where: str) -> None:
    con = duckdb.connect()
    sql = f"select *, whole, whole, text from ({TYPED}) where {where}"  # repeated names, as a join may give
    pd.testing.assert_frame_equal(frame(con.sql(sql).to_arrow_table()), con.execute(sql).df(), check_exact=True)


def test_page_and_tool_queries_give_the_frame_duckdb_makes(demo_db: Path) -> None:
    from tools import bench

    with open_readonly(demo_db) as con:
        chosen, facts = bench.selections(con)
        cases = [case for selection in chosen for build in bench.PAGES.values() for case in build(selection, facts)]
        cases += bench.tool_cases(con, facts)
        assert len({case.query for case in cases}) >= 30
        for case in cases:
            params = {**EVERYTHING, **case.params}
            cursor = con.cursor()
            cursor.execute(f"use {CATALOG}")
            for name, table in case.tables.items():
                cursor.register(name, table)
            expected = cursor.execute(load_sql(case.query), bind(case.query, params)).df()
            got = execute(con, case.query, params, catalog=CATALOG, tables=case.tables)
            # Two runs of a query may order tied rows, and add up doubles, differently (parallel order).
            pd.testing.assert_frame_equal(_sorted(got), _sorted(expected), rtol=1e-12, obj=case.query)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.astype(str)
    return frame.loc[text.sort_values(list(text.columns)).index].reset_index(drop=True)
