"""The province world: the demo's calibrated places plus synthetic cities, counties, towns and facilities,
about a province's size at scale 1 (issue 21), generated in SQL (data/province_world.sql) straight into the
database the demo build wrote, so that no table of tens of millions of rows passes through pandas."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb

from healthdash.core.paths import PROVINCE_WORLD_SQL
from healthdash.data.boundaries import boundary_rows
from healthdash.data.build import connect_for_writing, rebuild_rollups
from healthdash.data.demo.outlines import SOURCE, city_areas

Progress = Callable[[float, str], None]

# Synthetic places at scale 1, beside the demo's 5 cities and 25 counties in scope: about 20 cities and
# 180 counties in all, ~3,000 towns, ~40,000 facilities and ~55 million referral events.
CITIES = 15
# Fixed, as the demo's places (places.py): a seed changes the figures, never the map.
WORLD_SEED = 2015
COUNTIES = 155
# Share of the synthetic steps' time each takes (measured at scale 0.1), for the progress bar.
_STEP_WEIGHTS = {"生成模拟转诊记录（数千万条）": 0.5, "生成模拟机构月报（门诊、住院）": 0.1, "生成模拟公共卫生月报": 0.1,
                 "生成模拟上报记录": 0.1, "生成模拟防止因病返贫监测与大病救治": 0.06, "生成模拟执业注册人员": 0.03,
                 "生成模拟医养结合月报": 0.01}
_STEP = re.compile(r"^-- step: (.+)$", re.MULTILINE)
_PARAMETER = re.compile(r"\$([a-z_]+)")


def sizes(scale: float) -> tuple[int, int]:
    """(synthetic cities, synthetic counties) at `scale`: at least one city with a district and a county."""
    if not scale > 0:
        raise ValueError(f"--scale 须大于 0（收到 {scale:g}）")
    cities = max(1, round(CITIES * scale))
    return cities, max(cities + 1, round(COUNTIES * scale))


def steps() -> list[tuple[str, list[str]]]:
    """(progress message, statements) of data/province_world.sql, in order."""
    text = PROVINCE_WORLD_SQL.read_text(encoding="utf-8")
    parts = _STEP.split(text)[1:]
    out = []
    for message, body in zip(parts[::2], parts[1::2], strict=True):
        statements = [s.strip() for s in body.split(";\n") if s.strip() and not _only_comments(s)]
        out.append((message.strip(), statements))
    return out


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.splitlines())


def add_synthetic(con: duckdb.DuckDBPyConnection, scale: float, seed: int, progress: Progress | None = None) -> None:
    """Insert the synthetic places, their schematic outlines and their nine years of reports and referrals
    into the base tables of `con` (rollups untouched). Same seed and scale, same rows."""
    cities, counties = sizes(scale)
    base = con.execute("select coalesce(max(referral_id), 0) + 1 from referral").fetchone()[0]
    params = {"world_seed": WORLD_SEED, "seed": int(seed), "cities": cities, "counties": counties, "referral_base": int(base)}
    plan = steps()
    weights = [_STEP_WEIGHTS.get(message, 0.2 / max(len(plan) - len(_STEP_WEIGHTS), 1)) for message, _ in plan]
    total, done = sum(weights), 0.0
    for (message, statements), weight in zip(plan, weights, strict=True):
        if progress is not None:
            progress(done / total, message)
        for statement in statements:
            used = {name: params[name] for name in set(_PARAMETER.findall(statement)) if name in params}
            con.execute(statement, used)
        done += weight
    add_outlines(con)


def add_outlines(con: duckdb.DuckDBPyConnection) -> int:
    """Schematic outlines for the synthetic cities and counties (data/demo/outlines.py), keyed by their codes
    as adcodes, so the province world's maps draw; returns how many."""
    rows = con.execute("select c.code, c.name, k.code, k.name from region c join region k on k.parent_code = c.code "
                       "where c.level = 'city' and k.level = 'county' and c.code like '99%' "
                       "order by c.code, k.code").fetchall()
    cities: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for city, city_name, county, county_name in rows:
        cities.setdefault((city, city_name), []).append((county, county_name))
    areas = []
    for slot, ((city, city_name), counties) in enumerate(cities.items()):
        outline, tiles = city_areas(city, slot, counties)
        areas += [replace(outline, name=city_name), *tiles]
    frame = boundary_rows(areas, SOURCE, None)
    con.execute("update region set adcode = code where code like '99%' and level in ('city', 'county')")
    con.register("synthetic_outlines", frame)
    try:
        con.execute("insert or replace into region_boundary by name select * from synthetic_outlines")
    finally:
        con.unregister("synthetic_outlines")
    return len(frame)


def extend_database(path: Path, scale: float, seed: int, progress: Progress | None = None) -> None:
    """Turn the demo database at `path` (just built, not yet in use) into the province world: synthetic
    places added, rollups rebuilt, meta saying so."""
    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    con = connect_for_writing(path)
    try:
        # Two cores and 8 GB: let DuckDB write rows in any order (the memory limit is connect_for_writing's).
        con.execute("set preserve_insertion_order = false")
        add_synthetic(con, scale, seed, lambda f, m: report(0.7 * f, m))
        rebuild_rollups(con, progress=lambda f, m: report(0.7 + 0.25 * f, m))
        cities, counties = sizes(scale)
        con.executemany("insert or replace into meta values (?, ?)",
                        [("world", "province"), ("province_scale", f"{scale:g}"),
                         ("synthetic_places", f"{cities} 个模拟市、{counties} 个模拟区县（名称含“模拟”）")])
        report(0.95, "写入磁盘")
        con.execute("checkpoint")
    finally:
        con.close()
    report(1.0, "完成")
