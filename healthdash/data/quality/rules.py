"""Validation rules between related figures, declared as data in data/validation_rules.csv.

A rule reads `left operator right` over one dataset's monthly reports, e.g. `critical_cases <=
inpatient_discharges` or `hpv_first_doses.numerator <= town.population * 0.25`; a report that breaks it is
a warning, never a refusal (the hard checks that refuse a file are healthdash/ingest/validate.py's).

Safe by construction: an expression is parsed (numbers, names, + - * / and parentheses) and every name
must be on the dataset's allow-list below, which maps it to SQL written here; numbers and indicator codes
are bound as parameters. Nothing of the rule file's text reaches SQL.

Where the figures come from:
- check_database(): the stored reports of a period (and, when a database is rebuilt, store_flags() keeps
  every violation in quality_flag for the pages);
- check_frames(): the rows of a load before it is applied (validate.Checked.tables), read as the database
  will be after it: a town's public-health month combines the file's indicators with the stored others, a
  facility's referrals sent are the file's when it brings them, else the stored ones.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from healthdash.data.catalog import load_catalog
from healthdash.data.columns import AMOUNT, COUNT, TABLES_BY_NAME
from healthdash.data.quality.config import OUTLIER_CHECKS, VALIDATION_RULES_CSV
from healthdash.data.quality.errors import QualityError

LEVELS = ("warning", "info")
COMPARISONS = {"<=": "<=", "<": "<", ">=": ">=", ">": ">"}
BETWEEN = "between"
FINDING_COLUMNS = ("rule_id", "level", "dataset", "unit_code", "alliance_code", "measure", "month", "value",
                   "low", "high", "source", "row", "message_zh", "message_en")

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)"
                    r"|(?P<symbol>[-+*/(),]))")
_RULE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


class RuleError(QualityError):
    """A rule of the rule file that cannot be used, with the rule and the reason."""


# Expressions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Negative:
    operand: Expr


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr


Expr = Number | Name | Negative | Binary


def _tokens(rule_id: str, text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise RuleError("rule_syntax", rule=rule_id, text=text, detail=text[position:].strip()[:20])
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """expression := term (('+' | '-') term)*; term := factor (('*' | '/') factor)*;
    factor := '-' factor | number | name | '(' expression ')'."""

    def __init__(self, rule_id: str, text: str) -> None:
        self.rule_id, self.text = rule_id, text
        self.tokens = _tokens(rule_id, text)
        self.position = 0

    def fail(self) -> RuleError:
        rest = " ".join(value for _, value in self.tokens[self.position:]) or "…"
        return RuleError("rule_syntax", rule=self.rule_id, text=self.text, detail=rest[:20])

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise self.fail()
        self.position += 1
        return self.tokens[self.position - 1]

    def expressions(self) -> list[Expr]:
        """One expression, or several separated by commas (the bounds of `between`)."""
        found = [self.expression()]
        while self.peek() == ",":
            self.take()
            found.append(self.expression())
        if self.position != len(self.tokens):
            raise self.fail()
        return found

    def expression(self) -> Expr:
        node = self.term()
        while self.peek() in ("+", "-"):
            node = Binary(self.take()[1], node, self.term())
        return node

    def term(self) -> Expr:
        node = self.factor()
        while self.peek() in ("*", "/"):
            node = Binary(self.take()[1], node, self.factor())
        return node

    def factor(self) -> Expr:
        kind, value = self.take()
        if value == "-":
            return Negative(self.factor())
        if kind == "number":
            return Number(float(value))
        if kind == "name":
            return Name(value)
        if value == "(":
            node = self.expression()
            if self.peek() != ")":
                raise self.fail()
            self.take()
            return node
        self.position -= 1
        raise self.fail()


def parse(rule_id: str, text: str) -> list[Expr]:
    return _Parser(rule_id, text).expressions()


def names(expr: Expr) -> list[str]:
    if isinstance(expr, Name):
        return [expr.name]
    if isinstance(expr, Negative):
        return names(expr.operand)
    if isinstance(expr, Binary):
        return names(expr.left) + names(expr.right)
    return []


# What each dataset's rules may name -------------------------------------------------------------------------


def _numeric(dataset: str) -> tuple[str, ...]:
    return tuple(column.name for column in TABLES_BY_NAME[dataset].columns if column.kind in (COUNT, AMOUNT))


@dataclass(frozen=True)
class RowContext:
    """A dataset whose rules compare figures of one row (plus derived and dimension figures)."""

    unit: str                    # the column that is the reporting unit
    alliance: str | None         # the alliance column, for datasets reported per alliance member
    sub: str | None              # the row key besides unit and month (service, setting): a flag's `measure`
    extra: Mapping[str, str]     # name -> SQL over the joined relation (x: rows, s: referrals sent, d: dimension)
    join: str                    # the joins `extra` needs


_SENT = {"up_referrals_sent": "up", "down_referrals_sent": "down", "out_of_county_referrals_sent": "out_of_county"}
_POPULATIONS = ("population", "pop_65plus", "pop_children_1_7", "pop_women_35_64", "pop_key_groups")

# The staff the licensing registers list for a report's facility in its month (issue 26): a rule compares what
# a facility reports with what its staff on record can support; no register row for the month, no judgement.
_STAFF = {f"facility.{column}": f"w.{column}" for column in ("physicians", "nurses", "technicians")}
_STAFF_JOIN = ("left join workforce_register w on w.facility_code = x.facility_code "
               "and w.month = date_trunc('month', x.month)::date")

ROW_CONTEXTS: dict[str, RowContext] = {
    "service_volume": RowContext(
        "facility_code", None, None,
        {**{name: f"coalesce(s.{column}, 0)" for name, column in _SENT.items()}, "facility.beds": "d.beds", **_STAFF},
        "left join sent s on s.facility_code = x.facility_code and s.month = x.month "
        "left join facility d on d.code = x.facility_code " + _STAFF_JOIN),
    "alliance_activity": RowContext("facility_code", "alliance_code", None, _STAFF, _STAFF_JOIN),
    "shared_service": RowContext("facility_code", "alliance_code", "service", _STAFF, _STAFF_JOIN),
    "resident_care": RowContext(
        "county_code", None, "setting", {f"county.{column}": f"d.{column}" for column in _POPULATIONS},
        "left join region d on d.code = x.county_code"),
}
PUBLIC_HEALTH = "public_health"
TOWN_DIMENSIONS = {f"town.{column}": f"d.{column}" for column in _POPULATIONS}
_PARTS = {"numerator": "numerator", "denominator": "denominator"}


@cache
def _indicator_codes() -> frozenset[str]:
    return frozenset(load_catalog()["code"])


def allowed_names(dataset: str) -> list[str]:
    """Every name a rule over `dataset` may use (for messages and documentation)."""
    if dataset == PUBLIC_HEALTH:
        fields = [f"{code}.{part}" for code in sorted(_indicator_codes()) for part in _PARTS]
        return fields + list(TOWN_DIMENSIONS)
    return list(_numeric(dataset)) + list(ROW_CONTEXTS[dataset].extra)


# Rules ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    rule_id: str
    dataset: str
    left: Expr
    operator: str
    right: tuple[Expr, ...]     # one expression, or (low, high) for between
    level: str
    message_zh: str
    message_en: str

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(name for expr in (self.left, *self.right) for name in names(expr)))


def make_rule(row: Mapping[str, str]) -> Rule:
    """A rule from one row of the rule file, checked against the allow-list; RuleError says what is wrong."""
    rule_id = (row.get("rule_id") or "").strip()
    if not _RULE_ID.match(rule_id) or rule_id in OUTLIER_CHECKS:
        raise RuleError("rule_id", rule=rule_id)
    dataset = (row.get("dataset") or "").strip()
    if dataset != PUBLIC_HEALTH and dataset not in ROW_CONTEXTS:
        raise RuleError("rule_dataset", rule=rule_id, value=dataset)
    operator = (row.get("operator") or "").strip()
    if operator not in COMPARISONS and operator != BETWEEN:
        raise RuleError("rule_operator", rule=rule_id, value=operator)
    level = (row.get("level") or "").strip()
    if level not in LEVELS:
        raise RuleError("rule_level", rule=rule_id, value=level)
    left = parse(rule_id, row.get("left") or "")
    right = parse(rule_id, row.get("right") or "")
    if len(left) != 1 or len(right) != (2 if operator == BETWEEN else 1):
        raise RuleError("rule_syntax", rule=rule_id, text=row.get("right") or "", detail=",")
    message_zh, message_en = (row.get("message_zh") or "").strip(), (row.get("message_en") or "").strip()
    if not message_zh or not message_en:
        raise RuleError("rule_message", rule=rule_id)
    rule = Rule(rule_id, dataset, left[0], operator, tuple(right), level, message_zh, message_en)
    allowed = set(allowed_names(dataset))
    for name in rule.names:
        if name not in allowed:
            raise RuleError("rule_name", rule=rule_id, name=name, dataset=dataset)
    return rule


@cache
def load_rules(path: Path = VALIDATION_RULES_CSV) -> tuple[Rule, ...]:
    """Every rule of the rule file, in its order; a rule that cannot be used stops with RuleError."""
    with open(path, encoding="utf-8", newline="") as handle:
        rules = tuple(make_rule(row) for row in csv.DictReader(handle))
    seen: set[str] = set()
    for rule in rules:
        if rule.rule_id in seen:
            raise RuleError("rule_duplicate", rule=rule.rule_id)
        seen.add(rule.rule_id)
    return rules


def staff_rule_ids() -> list[str]:
    """The rules that compare a facility's reports with the staff on its licensing register (issue 26)."""
    return [rule.rule_id for rule in load_rules() if any(name in _STAFF for name in rule.names)]


# Compiling a rule to SQL ------------------------------------------------------------------------------------


class _Compiler:
    """SQL for a rule's expressions: names through `resolve`, numbers as bound parameters."""

    def __init__(self, resolve: Mapping[str, str]) -> None:
        self.resolve = resolve
        self.params: dict[str, object] = {}

    def sql(self, expr: Expr) -> str:
        if isinstance(expr, Number):
            key = f"n{len(self.params)}"
            self.params[key] = expr.value
            return f"${key}::double"
        if isinstance(expr, Name):
            return f"({self.resolve[expr.name]})::double"
        if isinstance(expr, Negative):
            return f"(-{self.sql(expr.operand)})"
        left, right = self.sql(expr.left), self.sql(expr.right)
        if expr.op == "/":
            return f"({left} / nullif({right}, 0))"
        return f"({left} {expr.op} {right})"  # op is one of + - * (the tokeniser knows no other)


def _rows(dataset: str, frames: bool) -> str:
    """The dataset's rows: a load's (registered as loaded_<dataset>) or the stored ones of the period."""
    if frames:
        return f"select * from loaded_{dataset}"
    return f"select *, null::integer as source, null::integer as _row, from {dataset} where {_period(dataset)}"


def _period(dataset: str) -> str:
    month = TABLES_BY_NAME[dataset].month_from
    return f"date_trunc('month', {month})::date between $month_from and $month_to"


def _sent(frames: bool) -> str:
    """Referrals each facility sent per month: a load's own where it brings a facility's month, else stored."""
    stored = """
        select from_facility as facility_code, month,
            sum(referrals) filter (where direction = 'up') as up,
            sum(referrals) filter (where direction = 'down') as down,
            sum(referrals) filter (where direction = 'out_of_county') as out_of_county,
        from referral_flow_monthly
        where month between $month_from and $month_to
        group by all"""
    if not frames:
        return stored
    return f"""
        with loaded as (
            select from_facility as facility_code, date_trunc('month', referral_date)::date as month,
                count(*) filter (where direction = 'up' and status <> 'cancelled') as up,
                count(*) filter (where direction = 'down' and status <> 'cancelled') as down,
                count(*) filter (where direction = 'out_of_county' and status <> 'cancelled') as out_of_county,
            from loaded_referral
            group by all
        ),
        stored as ({stored})
        select * from loaded
        union all
        select s.* from stored s anti join loaded l on l.facility_code = s.facility_code and l.month = s.month"""


def compile_rule(rule: Rule, frames: bool) -> tuple[str, dict[str, object]]:
    """(SQL, parameters) selecting the reports that break `rule`: unit_code, alliance_code, measure,
    month, source, row (the file position and row of a load; null for stored rows), value, low, high.
    The caller binds month_from and month_to (the period; any value for a load)."""
    if rule.dataset == PUBLIC_HEALTH:
        relation, resolve, params = _public_health(rule, frames)
    else:
        relation, resolve, params = _row_relation(rule, frames)
    compiler = _Compiler(resolve)
    compiler.params.update(params)
    value = compiler.sql(rule.left)
    bounds = [compiler.sql(expr) for expr in rule.right]
    if rule.operator == BETWEEN:
        low, high = bounds
        broken = "low is not null and high is not null and not (value between low and high)"
    elif rule.operator in (">=", ">"):
        low, high = bounds[0], "null"
        broken = f"low is not null and not (value {COMPARISONS[rule.operator]} low)"
    else:
        low, high = "null", bounds[0]
        broken = f"high is not null and not (value {COMPARISONS[rule.operator]} high)"
    sql = f"""
        with context as ({relation}),
        judged as (
            select unit_code, alliance_code, measure, month, source, _row as row, {value} as value,
                {low}::double as low, {high}::double as high,
            from context
        )
        select *
        from judged
        where value is not null and {broken}
        order by unit_code, alliance_code, measure, month"""
    return sql, compiler.params


def _alias(rule: Rule, name: str) -> str:
    """The context column holding a name's figure: by position, so no text of the rule reaches SQL."""
    return f"f{rule.names.index(name)}"


def _row_relation(rule: Rule, frames: bool) -> tuple[str, dict[str, str], dict[str, object]]:
    context = ROW_CONTEXTS[rule.dataset]
    sources = {**{name: f"x.{name}" for name in _numeric(rule.dataset)}, **context.extra}
    figures = "".join(f", {sources[name]} as {_alias(rule, name)}" for name in rule.names)
    sent = f", sent as ({_sent(frames)})" if rule.dataset == "service_volume" else ""
    alliance = f"x.{context.alliance}" if context.alliance else "''"
    sub = f"x.{context.sub}::varchar" if context.sub else "''"
    month = TABLES_BY_NAME[rule.dataset].month_from
    relation = f"""
        with rows as ({_rows(rule.dataset, frames)}){sent}
        select x.{context.unit} as unit_code, {alliance} as alliance_code, {sub} as measure,
            date_trunc('month', x.{month})::date as month, x.source, x._row{figures},
        from rows x {context.join}"""
    return relation, {name: _alias(rule, name) for name in rule.names}, {}


def _public_health(rule: Rule, frames: bool) -> tuple[str, dict[str, str], dict[str, object]]:
    """One row per town and month, with a column per figure the rule names; in a load, a town's month is
    the file's indicators and the stored others."""
    params: dict[str, object] = {}
    pivots, figures = [], []
    for position, name in enumerate(rule.names):
        if name in TOWN_DIMENSIONS:
            figures.append(f"{TOWN_DIMENSIONS[name]} as {_alias(rule, name)}")
            continue
        code, part = name.split(".")
        params[f"i{position}"] = code
        column = _PARTS[part]  # our own spelling of the column the allow-listed name chose
        pivots.append(f"max({column}) filter (where indicator_code = $i{position}) as {_alias(rule, name)}")
        figures.append(f"g.{_alias(rule, name)}")
    columns = "town_code, month, indicator_code, numerator, denominator, source, _row"
    if frames:
        rows = f"""
            select {columns} from loaded_public_health
            union all
            select p.town_code, p.month, p.indicator_code, p.numerator, p.denominator, null, null
            from public_health p
            semi join loaded_public_health l on l.town_code = p.town_code and l.month = p.month
            anti join loaded_public_health n on n.town_code = p.town_code and n.month = p.month
                and n.indicator_code = p.indicator_code"""
    else:
        rows = f"select {columns} from ({_rows(PUBLIC_HEALTH, False)})"
    relation = f"""
        with rows as ({rows}),
        g as (
            select town_code, month, min(source) as source, min(_row) as _row{''.join(', ' + p for p in pivots)},
            from rows
            group by all
        )
        select g.town_code as unit_code, '' as alliance_code, '' as measure, g.month, g.source, g._row,
            {', '.join(figures)},
        from g left join region d on d.code = g.town_code"""
    return relation, {name: _alias(rule, name) for name in rule.names}, params


# Running the rules ------------------------------------------------------------------------------------------


def _findings(rule: Rule, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.assign(rule_id=rule.rule_id, level=rule.level, dataset=rule.dataset,
                       message_zh=rule.message_zh, message_en=rule.message_en)
    return out[list(FINDING_COLUMNS)]


def _run(cursor: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...], frames: bool,
         month_from: date, month_to: date) -> pd.DataFrame:
    found = []
    for rule in rules:
        sql, params = compile_rule(rule, frames)
        params = {**params, "month_from": month_from, "month_to": month_to}
        used = set(_PARAMETER.findall(sql))  # DuckDB refuses parameters a statement does not name
        found.append(_findings(rule, cursor.execute(sql, {key: params[key] for key in used}).df()))
    if not found:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    return pd.concat(found, ignore_index=True)


def _cursor(con: duckdb.DuckDBPyConnection, catalog: str | None) -> duckdb.DuckDBPyConnection:
    cursor = con.cursor()
    if catalog is not None:
        if not re.match(r"^[a-z0-9_]+$", catalog):
            raise ValueError(f"not a catalog name: {catalog!r}")
        cursor.execute(f"use {catalog}")  # an identifier, checked above: it cannot be bound
    return cursor


def check_database(con: duckdb.DuckDBPyConnection, month_from: date, month_to: date, *,
                   catalog: str | None = None, rules: tuple[Rule, ...] | None = None) -> pd.DataFrame:
    """Every stored report of months month_from..month_to that breaks a rule, one row each
    (FINDING_COLUMNS; source and row are null)."""
    chosen = load_rules() if rules is None else rules
    if catalog is None:
        # On `con` itself: a cursor would not see tables an upgrade created in its still open transaction.
        return _run(con, chosen, False, month_from, month_to)
    cursor = _cursor(con, catalog)
    try:
        return _run(cursor, chosen, False, month_from, month_to)
    finally:
        cursor.close()


def _empty_referrals() -> pd.DataFrame:
    return pd.DataFrame({"from_facility": pd.Series([], dtype="str"),
                         "referral_date": pd.Series([], dtype="datetime64[ns]"),
                         "direction": pd.Series([], dtype="str"), "status": pd.Series([], dtype="str"),
                         "source": pd.Series([], dtype="int64"), "_row": pd.Series([], dtype="int64")})


def check_frames(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pd.DataFrame], *,
                 catalog: str | None = None, rules: tuple[Rule, ...] | None = None) -> pd.DataFrame:
    """The rows of a load (table -> typed rows with `source`, the file's position, and `_row`, its row in
    the file, as validate.Checked.tables holds them) that break a rule, read against the database the load
    goes into (`con`, before the load): warnings, which never stop the load."""
    chosen = tuple(rule for rule in (load_rules() if rules is None else rules) if rule.dataset in tables)
    months = [frame[TABLES_BY_NAME[name].month_from] for name, frame in tables.items() if len(frame)]
    if not chosen or not months:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    every = pd.to_datetime(pd.concat(months, ignore_index=True))
    first, last = every.min().to_period("M").start_time.date(), every.max().to_period("M").start_time.date()
    cursor = _cursor(con, catalog)
    try:
        for name, frame in tables.items():
            cursor.register(f"loaded_{name}", frame)  # name: a table of columns.py (Checked's keys)
        if "referral" not in tables:
            cursor.register("loaded_referral", _empty_referrals())
        return _run(cursor, chosen, True, first, last)
    finally:
        cursor.close()


def store_flags(con: duckdb.DuckDBPyConnection, since: date | None = None) -> None:
    """Add every stored report from `since` on (None: all) that breaks a rule to fresh_quality_flag (after
    data/quality_flags.sql made it)."""
    found = check_database(con, since or date(1900, 1, 1), date(2999, 12, 1))
    con.register("rule_findings", found)
    try:
        con.execute("""
            insert into fresh_quality_flag by name
            select 'rule' as kind, f.level, f.rule_id as check_id, f.dataset, f.measure, p.unit_kind, f.unit_code,
                f.alliance_code, p.facility_code, p.town_code, p.county_code, p.city_code, p.tier,
                f.month::date as month, f.value, f.low, f.high,
            from rule_findings f
            join quality_unit u on u.dataset = f.dataset
            join report_place p on p.unit_kind = u.unit_kind and p.unit_code = f.unit_code
            where p.in_scope
        """)
    finally:
        con.unregister("rule_findings")
