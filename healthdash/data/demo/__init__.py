"""The demo database: a deterministic, calibrated world of the places the seed reports name."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from healthdash.data.boundaries import demo_boundaries
from healthdash.data.build import TABLES, Progress, row_count, write_database
from healthdash.data.catalog import load_catalog
from healthdash.data.demo import province
from healthdash.data.demo.appraisal import sample_choice, sample_targets
from healthdash.data.demo.calendar import MONTHS
from healthdash.data.demo.calibrate import calibrate_facts, calibrate_world, load_calibration
from healthdash.data.demo.generate import expected_facts, realise, staff_income, streams
from healthdash.data.demo.places import build_world, facility_places
from healthdash.data.demo.poverty import elderly_care, poverty_monitoring, serious_illness
from healthdash.data.demo.referrals import events, expected_cells, routes
from healthdash.data.demo.targets import of_table
from healthdash.data.demo.workforce import pathogen_test, workforce_register
from healthdash.data.quality import simulate

DEFAULT_SEED = 20170101


def build_demo(db_path: Path, scale: float = 1.0, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> dict:
    """Build the demo database at db_path. `scale` multiplies the referral volume (8 ≈ 10 million events);
    calibration.csv is reproduced exactly at scale 1. Returns {'rows': {table: n}, 'seconds': s}."""
    started = time.perf_counter()

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    report(0.0, "生成地区、机构与医联体")
    world = build_world()
    calibration = load_calibration()
    calibrate_world(world, calibration)
    geo = facility_places(world)
    rngs = streams(seed)
    report(0.05, "生成月度业务数据")
    raw = expected_facts(world, geo, rngs)
    route_table = routes(geo)
    raw["referral"] = expected_cells(geo, route_table, scale, rngs["referral_cells"])
    targets = calibrate_facts(raw, world, calibration, scale)
    tables = {**world, "indicator": load_catalog(), **realise(raw, targets, rngs), "region_boundary": demo_boundaries()}
    report(0.2, "生成转诊记录")
    tables["referral"] = events(geo, route_table, raw["referral"], of_table(targets, "referral"), rngs)
    tables["staff_income"] = staff_income(world["region"], rngs["income"])
    tables["poverty_monitoring"] = poverty_monitoring(world["region"], world["facility"], calibration, rngs["poverty"])
    tables["serious_illness"] = serious_illness(tables["poverty_monitoring"], rngs["serious_illness"])
    tables["elderly_care"] = elderly_care(world["region"], calibration, rngs["elderly_care"])
    tables["workforce_register"] = workforce_register(geo, world, rngs["workforce"])
    tables["pathogen_test"] = pathogen_test(world, rngs["pathogen"])
    # Data quality (issue 20): simulated delivery times, gaps and errors, after every published figure.
    tables = simulate.seed(tables, seed)
    tables["appraisal_target"] = sample_targets(world["region"], range(MONTHS[0].year, MONTHS[-1].year + 1))
    tables["appraisal_scheme_choice"] = sample_choice()
    write_database(db_path, tables, "demo", lambda f, m: report(0.35 + 0.65 * f, m),
                   extra_meta={"seed": str(seed), "scale": f"{scale:g}", "quality_simulated": simulate.SIMULATED_NOTE})
    rows = {name: row_count(table) for name, table in tables.items()}
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 2)}


def build_province(db_path: Path, scale: float = 1.0, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> dict:
    """Build the province world at db_path: the demo at scale 1 (its published figures intact) plus synthetic
    places in proportion to `scale` (1 ≈ 20 cities, 180 counties, 40,000 facilities, 55 million referrals).
    Built beside the target and swapped in whole. Returns {'rows': {table: n}, 'seconds': s}."""
    started = time.perf_counter()
    province.sizes(scale)  # a bad scale fails before minutes of work

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    db_path = Path(db_path)
    tmp = db_path.with_name(f"{db_path.name}.province-{os.getpid()}")
    try:
        build_demo(tmp, seed=seed, progress=lambda f, m: report(0.15 * f, f"演示地区：{m}"))
        province.extend_database(tmp, scale, seed, lambda f, m: report(0.15 + 0.85 * f, m))
        Path(f"{db_path}.wal").unlink(missing_ok=True)
        os.replace(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        raise
    with duckdb.connect(str(db_path), read_only=True) as con:
        # Table names from the fixed TABLES list: identifiers cannot be bound.
        rows = {name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in TABLES}
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 2)}
