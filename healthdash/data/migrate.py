"""Schema versions of the dashboard database and the steps from each to the next (`python -m healthdash check`).

meta.schema_version names the layout a database has; a database built before the record existed counts
as version 0. A step brings a database to its version; steps run in order on a copy of the database (the
caller swaps it in, as a load does: healthdash.ingest.maintenance). Add a step for every change of
data/schema.sql or data/quality_schema.sql that an older file lacks, and raise build.SCHEMA_VERSION to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from healthdash.core.paths import (
    GRAIN_ROLLUPS_SQL,
    REFERRAL_FACILITY_SQL,
    SCHEMA_SQL,
    SCOPE_MACROS_SQL,
    TOWN_RUNNING_SQL,
)
from healthdash.data import appraisal, build
from healthdash.data.boundaries import demo_boundaries
from healthdash.data.catalog import load_catalog
from healthdash.data.quality import schema as quality_schema
from healthdash.data.splice import set_window, splice


@dataclass(frozen=True)
class Step:
    version: str  # the version the database has after this step
    zh: str
    en: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]
    rebuild: bool = False  # the rollups are rebuilt once, after the last step: rollups.sql is this release's


def _record_only(con: duckdb.DuckDBPyConnection) -> None:
    """Version 1 is the first layout: nothing to change but the record itself."""


def _quality_tables(con: duckdb.DuckDBPyConnection) -> None:
    quality_schema.ensure_tables(con)


def _boundaries(con: duckdb.DuckDBPyConnection) -> None:
    """Maps (issue 25): regions get their administrative code and boundaries a table. A demo database's
    cities and counties are real places, so they get their codes and the demo's outlines; a production
    database draws maps once its officer loads the commission's boundary file."""
    con.execute("alter table region add column if not exists adcode varchar")
    con.execute("""
        create table if not exists region_boundary (
            adcode varchar primary key, name varchar, shape_city varchar not null,
            shape_province varchar not null, source varchar not null, approval varchar, loaded_at timestamp)
    """)
    demo = con.execute("select count(*) from meta where key = 'dataset_kind' and value = 'demo'").fetchone()
    if demo and demo[0]:
        con.execute("update region set adcode = code where level <> 'town' and adcode is null")
        con.register("outlines", demo_boundaries())
        try:
            con.execute("insert or ignore into region_boundary by name select * from outlines")
        finally:
            con.unregister("outlines")


def _monitoring(con: duckdb.DuckDBPyConnection) -> None:
    """监测与考核 (issue 23): resident_care's optional primary-care fund column, the judgement and target
    tables, the catalog's new indicators, and the rollups that compute them."""
    con.execute("alter table resident_care add column if not exists fund_primary double")
    appraisal.ensure_tables(con)
    _catalog(con)


def _catalog(con: duckdb.DuckDBPyConnection) -> None:
    """The indicator table as this release's catalog (a database's catalog is the release's, never edited)."""
    con.register("catalog", load_catalog())
    try:
        con.execute("delete from indicator")
        con.execute("insert into indicator by name select * from catalog")
    finally:
        con.unregister("catalog")


def _staff_income(con: duckdb.DuckDBPyConnection) -> None:
    """监测与考核 (issue 23): the yearly staff-income report and its indicator (item 6), the uploaded scoring
    schemes and the choice of the active one."""
    con.execute("""
        create table if not exists staff_income (
            county_code varchar not null,
            month date not null,
            primary_avg_income double not null,
            lead_avg_income double not null,
            primary key (county_code, month),
        )""")
    appraisal.ensure_tables(con)
    _catalog(con)


def _poverty_and_elderly_care(con: duckdb.DuckDBPyConnection) -> None:
    """防止因病返贫 and 医养结合 (issue 26): the three monthly reports, as data/schema.sql creates them, and
    the catalog's new indicators."""
    schema = SCHEMA_SQL.read_text(encoding="utf-8")
    for table in ("poverty_monitoring", "serious_illness", "elderly_care"):
        statement = schema[schema.index(f"create table {table} ("):]
        con.execute(statement[:statement.index(");") + 2].replace("create table", "create table if not exists", 1))
    _catalog(con)


def _scored_against_the_past(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 21: outliers are scored against each series' past, with what a later load reads back (ratio,
    residual) stored beside each score; the old scores go and the rebuild after the last step scores again."""
    con.execute("drop table if exists quality_score")


def _workforce(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 26: the licensing registers' staff per facility and the pathogen identification network."""
    con.execute("""
        create table if not exists workforce_register (
            facility_code varchar not null, month date not null, physicians integer not null,
            nurses integer not null, technicians integer not null, village_doctors integer not null,
            village_doctors_licensed integer not null, primary key (facility_code, month))""")
    con.execute("""
        create table if not exists pathogen_test (
            alliance_code varchar not null, facility_code varchar not null, month date not null,
            cases_sent integer not null, cases_identified integer not null, turnaround_hours double not null,
            primary key (alliance_code, facility_code, month))""")
    _catalog(con)


def _retired_schemes(con: duckdb.DuckDBPyConnection) -> None:
    """监测与考核 (issue 23): an uploaded scheme can be retired (kept, no longer offered), which frees its name:
    the table is made again without the unique name, with who retired it and when."""
    con.execute("alter table appraisal_scheme rename to appraisal_scheme_5")
    appraisal.ensure_tables(con)
    con.execute("insert into appraisal_scheme by name select * from appraisal_scheme_5")
    con.execute("drop table appraisal_scheme_5")


def _place_grains(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 21: the town grain beside the county grain, and the indicator grains stored by year, then
    place (build.MONTHLY_ROLLUPS). Summed from the stored facility rows, so nothing else is rebuilt."""
    con.execute("create or replace temp view fresh_indicator_fact as select * from indicator_fact")
    con.execute(GRAIN_ROLLUPS_SQL.read_text(encoding="utf-8"))
    con.execute("drop view fresh_indicator_fact")
    con.execute("alter table indicator_fact rename to fresh_indicator_fact")
    for name in ("indicator_fact", "indicator_county_fact", "indicator_town_fact"):
        splice(con, name, build.MONTHLY_ROLLUPS[name], None)
    con.execute(SCOPE_MACROS_SQL.read_text(encoding="utf-8"))


def _referrals_by_county(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 21: the referral flows carry their home facility's county and are stored by year, then county
    (build.MONTHLY_ROLLUPS), so a county's page reads its own rows. Nothing else is rebuilt."""
    for name in ("referral_flow_monthly", "referral_disease_monthly"):
        # `name` is one of the two literals above: an identifier
        con.execute(f"""
            create or replace table fresh_{name} as
            select f.*, g.county_code as home_county,
            from {name} f
            left join facility_geo g on g.facility_code = f.home_facility
        """)
        con.execute(f"drop table {name}")
        splice(con, name, build.MONTHLY_ROLLUPS[name], None)
    con.execute(SCOPE_MACROS_SQL.read_text(encoding="utf-8"))


def _referrals_by_facility(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 21: referrals per facility and month beside the flows between pairs, summed from the stored
    flows (build.MONTHLY_ROLLUPS), for the pages that list facilities. Nothing else is rebuilt."""
    con.execute("create or replace temp view fresh_referral_flow_monthly as select * from referral_flow_monthly")
    con.execute(REFERRAL_FACILITY_SQL.read_text(encoding="utf-8"))
    con.execute("drop view fresh_referral_flow_monthly")
    splice(con, "referral_facility_monthly", build.MONTHLY_ROLLUPS["referral_facility_monthly"], None)


def _report_status_by_year(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 21: who owes which report is stored by year, then county (quality_schema.REPORT_ROLLUPS), so
    that a year of the province reads a ninth of it. The same rows, sorted again. A database from before
    version 2 has none yet: the rebuild after the last step makes it in this order."""
    if not con.execute("select count(*) from duckdb_tables() where table_name = 'report_status'").fetchone()[0]:
        return
    con.execute("alter table report_status rename to fresh_report_status")
    splice(con, "report_status", quality_schema.REPORT_ROLLUPS["report_status"], None)


def _town_running_totals(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 21: running totals per town and indicator, so that the province's towns are read from two
    months of rows whatever the period. Summed from the stored town grain, so nothing else is rebuilt."""
    set_window(con, "rebuild_window", None)
    con.execute("create or replace temp view fresh_indicator_town_fact as select * from indicator_town_fact")
    con.execute("create or replace temp view fresh_indicator_fact as select * from indicator_fact")
    con.execute(TOWN_RUNNING_SQL.read_text(encoding="utf-8"))
    con.execute("drop view fresh_indicator_town_fact")
    con.execute("drop view fresh_indicator_fact")
    splice(con, "indicator_town_running", build.MONTHLY_ROLLUPS["indicator_town_running"], None)
    con.execute(SCOPE_MACROS_SQL.read_text(encoding="utf-8"))


STEPS: tuple[Step, ...] = (
    Step("1", "记录架构版本号（早期数据库没有这条记录）", "record the schema version (older files lack it)",
         _record_only),
    Step("2", "添加数据质量基础表（报送记录、例外、跟进标记），重建全部汇总表",
         "add the data-quality tables (issue 20) and rebuild every rollup", _quality_tables, rebuild=True),
    Step("3", "添加行政区划代码和边界表（地图）；演示数据库同时载入演示地区边界",
         "add administrative codes and the boundary table (maps); a demo database gets the demo's outlines",
         _boundaries),
    Step("4", "添加监测与考核的表（定性评价、目标值）和新指标，重建全部汇总表",
         "add the appraisal tables (judgements, targets) and the new indicators, and rebuild every rollup",
         _monitoring, rebuild=True),
    Step("5", "添加人员收入年报表（基层与牵头医院人员平均收入）和相应指标、本地考核方案及当前方案的表，重建全部汇总表",
         "add the yearly staff-income report (primary care and lead hospital) and its indicator, the uploaded "
         "appraisal schemes and the active one, and rebuild every rollup", _staff_income, rebuild=True),
    Step("6", "添加防止因病返贫监测、大病专项救治和医养结合月报表及相应指标，重建全部汇总表",
         "add the monthly reports of poverty-relapse monitoring, serious-illness treatment and elderly care "
         "(医养结合) and their indicators, and rebuild every rollup", _poverty_and_elderly_care, rebuild=True),
    Step("7", "异常值改为只与本序列以往数据比较（导入新月份不再改变以往月份的评分），导入只重算所涉月份，重建全部汇总表",
         "score outliers against each series' past only (a new month no longer changes earlier scores), loads "
         "recompute only the months they touch, and rebuild every rollup", _scored_against_the_past, rebuild=True),
    Step("8", "添加执业注册人员表和病原鉴定网络表及相应指标，重建全部汇总表",
         "add the registered-staff and pathogen-identification tables and their indicators, and rebuild every "
         "rollup", _workforce, rebuild=True),
    Step("9", "本地考核方案可停用（保留原文件，名称可再用）", "uploaded appraisal schemes can be retired (kept; "
         "their name can be used again)", _retired_schemes),
    Step("10", "添加按乡镇汇总的指标表，指标汇总表改为按年份、地区顺序存储（全省、乡镇列表查询更快）",
         "add the indicator facts per town, and store the indicator rollups by year, then place (faster "
         "province-wide and town views)", _place_grains),
    Step("11", "转诊汇总表记录所属区县并按年份、区县顺序存储（区县页面只读本县数据）",
         "the referral rollups carry their home county and are stored by year, then county (a county's pages "
         "read its rows only)", _referrals_by_county),
    Step("12", "添加按机构、月份汇总的转诊表（全省机构列表、推演的接收医院查询更快）",
         "add referrals per facility and month (faster facility lists across a province and what-if receivers)",
         _referrals_by_facility),
    Step("13", "报送状态表改为按年份、区县顺序存储（全省的缺报查询更快）",
         "store the report states by year, then county (faster missing-report lists for a province)",
         _report_status_by_year),
    Step("14", "添加按乡镇、指标的逐月累计表（全省乡镇列表只读两个月的数据）",
         "add running totals per town and indicator (the province's towns read two months of rows)",
         _town_running_totals),
)
CURRENT = STEPS[-1].version


class NewerDatabase(Exception):
    """The database was written by a newer release than this one."""


def version_of(con: duckdb.DuckDBPyConnection) -> str:
    """meta.schema_version, or "0" when the database has no such record."""
    row = con.execute("select value from meta where key = 'schema_version'").fetchone()
    return row[0] if row else "0"


def pending(version: str) -> list[Step]:
    """The steps a database at `version` still needs, in order; NewerDatabase if it is ahead of this release."""
    if not version.isdigit() or int(version) > int(CURRENT):
        raise NewerDatabase(
            f"数据库的架构版本为 {version}，本程序只支持到 {CURRENT}：请使用与数据库相同或更新的安装包"
            f" / the database has schema version {version}, this release knows up to {CURRENT}")
    return [step for step in STEPS if int(step.version) > int(version)]


def migrate(con: duckdb.DuckDBPyConnection) -> list[Step]:
    """Apply every pending step to `con` (a writable copy), recording each version as it is reached."""
    done = []
    for step in pending(version_of(con)):
        step.apply(con)
        con.execute("insert or replace into meta values ('schema_version', $version)", {"version": step.version})
        done.append(step)
    if any(step.rebuild for step in done):
        build.rebuild_rollups(con)
    return done
