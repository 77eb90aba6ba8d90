"""Check the rows of loaded files against the schema, the codes in the database and the domain rules.

Every check runs over whole columns (pandas) or over distinct pairs in DuckDB, never a Python loop per
row, so a million referral rows validate in a second or two. A sheet with any problem yields no rows to
load; the problems say file, sheet, row, column, value and what is wrong (problems.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from healthdash.core.indicators import RATE_AGGREGATIONS
from healthdash.data.columns import (
    ALLIANCE,
    AMOUNT,
    CHOICE,
    CODE,
    COUNT,
    COUNTY,
    DATE,
    FACILITY,
    FIRST_MONTH,
    FLAG,
    FLAG_VALUES,
    INDICATOR,
    MONTH,
    TABLES_BY_NAME,
    TOWN,
    Column,
    Table,
    choice_lookup,
)
from healthdash.data.db import CATALOG, execute, load_sql
from healthdash.ingest import problems
from healthdash.ingest.loadfile import Sheet, Source

# A time of day after a date is allowed and dropped (HIS exports write '2024-03-05 14:30:00').
_TIME = r"(?:[ T]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PARTS = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?\s*" + _TIME + r"\s*$"
_DATE_COMPACT = r"^(\d{4})(\d{2})(\d{2})?$"
# 2025.1: January, or October once Excel has shown the number 2025.10 without its trailing zero.
_AMBIGUOUS_MONTH = r"^\d{4}\.1$"
# Commas only between groups of three digits, as thousands separators: 1,234 and 1,234,567.89.
_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"
_BAD_CODE = {FACILITY: "unknown_facility", COUNTY: "unknown_county", TOWN: "unknown_town",
             ALLIANCE: "unknown_alliance", INDICATOR: "unknown_indicator"}


@dataclass
class Reference:
    """What the database says is valid: codes, membership, indicator kinds, and the connection that
    knows the referral rule (used from one thread: not the dashboard's shared connection)."""

    con: duckdb.DuckDBPyConnection
    facilities: pd.DataFrame   # code, tier, in_scope
    regions: pd.DataFrame      # code, level, in_scope
    members: pd.DataFrame      # alliance_code, facility_code
    indicators: pd.DataFrame   # code, aggregation (public health only)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, catalog: str | None = CATALOG) -> Reference:
        """From a connection made by db.open_readonly (or, with catalog=None, a plain connection)."""
        return cls(con, *(execute(con, name, catalog=catalog) for name in (
            "load_facilities", "load_regions", "load_alliance_members", "load_public_health_indicators")))

    def valid_codes(self, column: Column) -> pd.Series:
        if column.ref == FACILITY:
            facilities = self.facilities
            return facilities["code"] if column.outside_ok else facilities.loc[facilities["in_scope"], "code"]
        if column.ref in (COUNTY, TOWN):
            regions = self.regions
            return regions.loc[regions["in_scope"] & (regions["level"] == column.ref), "code"]
        if column.ref == ALLIANCE:
            return self.members["alliance_code"].drop_duplicates()
        return self.indicators["code"]

    def expected_directions(self, pairs: pd.DataFrame) -> pd.DataFrame:
        self.con.register("pairs", pairs)
        try:
            return self.con.execute(load_sql("referral_expected_direction")).df()
        finally:
            self.con.unregister("pairs")


@dataclass
class Checked:
    """The outcome of checking a set of files: problems, and when there are none, the typed rows to load
    per table, each row tagged with the position of its file (`source`)."""

    sources: list[Source]
    problems: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problems.empty

    @property
    def example_rows(self) -> int:
        return sum(sheet.example_rows for source in self.sources for sheet in source.sheets)

    @property
    def ignored_columns(self) -> list[tuple[str, str, str]]:
        return [(source.name, sheet.sheet, column) for source in self.sources for sheet in source.sheets
                for column in sheet.ignored_columns]


def check(sources: list[Source], reference: Reference, today: date | None = None) -> Checked:
    """Check every sheet of every file, then what files of one load must not do together."""
    today = today or date.today()
    found: list[pd.DataFrame | dict] = []
    typed: dict[str, list[pd.DataFrame]] = {}
    for position, source in enumerate(sources):
        found.extend(source.problems)
        for sheet in source.sheets:
            frame, sheet_problems = check_sheet(sheet, reference, today)
            found.extend(sheet_problems)
            if frame is not None and len(frame):
                typed.setdefault(sheet.table, []).append(frame.assign(source=position))
    tables = {name: pd.concat(frames, ignore_index=True) for name, frames in typed.items()}
    found.extend(_scopes_in_two_places(sources, tables))
    result = problems.frame(found)
    return Checked(sources, result, tables if result.empty else {})


def check_sheet(sheet: Sheet, reference: Reference, today: date) -> tuple[pd.DataFrame | None, list]:
    """(typed rows with their file row number in `_row`, or None; problems) for one sheet."""
    table = TABLES_BY_NAME[sheet.table]
    raw = sheet.frame
    rows = sheet.rows
    found: list[pd.DataFrame] = []
    out = pd.DataFrame({"_row": rows})
    valid = pd.DataFrame(index=raw.index)

    def report(mask: pd.Series | np.ndarray, code: str, column: Column, values: pd.Series | None = None,
               per_row: pd.Series | None = None, **params: object) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            shown = (raw[column.name] if values is None else values)[mask]
            found.append(problems.many(sheet.file, sheet.sheet, rows[mask], code, column=column, values=shown,
                                       per_row=None if per_row is None else per_row[mask], column_name=column,
                                       **params))

    for column in table.columns:
        if column.name not in raw:  # an optional column the file leaves out
            out[column.name] = pd.Series(np.nan, index=raw.index)
            valid[column.name] = True
            continue
        text = raw[column.name]
        blank = text.eq("")
        if column.required:
            report(blank, "required", column)
        values, bad = _parse(column, text, blank, report, reference, today, sheet.numeric.get(column.name))
        out[column.name] = values
        valid[column.name] = ~(bad | (blank & column.required))

    _ratios(table, raw, out, valid, report, reference)
    if table.name == "referral":
        _referral_rules(raw, out, valid, report, reference)
    if "alliance_code" in table.names and "facility_code" in table.names:
        _membership(table, out, valid, report, reference)
    if table.key:
        _duplicates(table, out, valid, report)
    if found:
        return None, found
    for column in table.columns:
        if column.kind == COUNT:
            out[column.name] = out[column.name].astype("int64")
    return out.assign(_sheet=sheet.sheet), []


def _parse(column: Column, text: pd.Series, blank: pd.Series, report, reference: Reference,
           today: date, numeric: np.ndarray | None = None) -> tuple[pd.Series, pd.Series]:
    """(typed values, mask of non-blank values that are wrong) for one column; reports what is wrong.
    `numeric`: which cells were numbers in the workbook (None for CSV)."""
    filled = ~blank
    if column.kind in (COUNT, AMOUNT):
        return _parse_number(column, text, filled, report)
    if column.kind in (MONTH, DATE):
        return _parse_month_or_date(column, text, filled, report, today, numeric)
    # Codes, choices and flags take few distinct values: look each up once (factorize), not once a row.
    positions, distinct = pd.factorize(text)
    distinct = pd.Series(distinct, dtype="str")
    if column.kind == CHOICE:
        spelled = distinct.str.lower().map(choice_lookup(column))
        unknown = filled & _take(spelled.isna().to_numpy(), positions, False)
        allowed = "、".join(zh for _, zh, _ in column.choices)
        report(unknown, "bad_choice", column, allowed=allowed)
        choices = [code for code, _, _ in column.choices]
        category = spelled.map({code: number for number, code in enumerate(choices)}).fillna(-1).to_numpy("int64")
        values = pd.Categorical.from_codes(_take(category, positions, -1), categories=choices)
        return pd.Series(values, index=text.index), unknown
    if column.kind == FLAG:
        flags = distinct.str.lower().map(FLAG_VALUES)
        unknown = filled & _take(flags.isna().to_numpy(), positions, False)
        report(unknown, "bad_flag", column)
        answers = flags.astype("float64").fillna(0.0).to_numpy(bool)
        return pd.Series(_take(answers, positions, False), index=text.index), unknown
    if column.kind == CODE:
        known = distinct.isin(reference.valid_codes(column)).to_numpy()
        unknown = filled & ~_take(known, positions, True)
        report(unknown, _BAD_CODE[column.ref], column)
        return text, unknown
    raise ValueError(f"unknown column kind: {column.kind}")


def _parse_number(column: Column, text: pd.Series, filled: pd.Series, report) -> tuple[pd.Series, pd.Series]:
    has_comma = filled & text.str.contains(",", regex=False)
    misplaced = has_comma & ~text.str.fullmatch(_THOUSANDS)
    report(misplaced, "bad_thousands", column)
    cleaned = text.str.replace(",", "", regex=False) if has_comma.any() else text
    number = pd.to_numeric(cleaned.where(filled & ~misplaced), errors="coerce").astype("float64")
    finite = np.isfinite(number)
    not_number = filled & ~finite & ~misplaced
    negative = finite & (number < 0)
    whole = finite & (np.floor(number) == number)
    report(not_number, "not_number" if column.kind == AMOUNT else "not_integer", column)
    report(negative, "negative", column)
    huge = finite & (number > column.upper_bound)
    report(huge, "too_big", column, limit=f"{column.upper_bound:,.0f}")
    bad = misplaced | not_number | negative | huge
    if column.kind == COUNT:
        fraction = finite & ~whole & ~negative & ~huge
        report(fraction, "not_integer", column)
        bad = bad | fraction
    return number, bad


def _parse_month_or_date(column: Column, text: pd.Series, filled: pd.Series, report, today: date,
                         numeric: np.ndarray | None) -> tuple[pd.Series, pd.Series]:
    """Months and dates from text or date cells only, from FIRST_MONTH to the current month (day)."""
    is_month = column.kind == MONTH
    number = filled & (numeric if numeric is not None else np.zeros(len(text), bool))
    report(number, "numeric_month" if is_month else "numeric_date", column)
    ambiguous = filled & ~number & (text.str.fullmatch(_AMBIGUOUS_MONTH) if is_month else False)
    report(ambiguous, "ambiguous_month", column)
    year = pd.to_numeric(text.str.extract(r"^(\d{4})", expand=False), errors="coerce")
    early = filled & ~number & (year < int(FIRST_MONTH[:4])).to_numpy()
    report(early, "early_month" if is_month else "early_date", column, first=FIRST_MONTH)
    usable = filled & ~number & ~ambiguous & ~early
    stamp, has_day = _parse_dates(text.where(usable, ""))
    unreadable = usable & stamp.isna()
    refused = number | ambiguous | early | unreadable
    if not is_month:
        partial = usable & stamp.notna() & ~has_day
        report(unreadable | partial, "bad_date", column)
        future = stamp.notna() & has_day & (stamp > pd.Timestamp(today))
        report(future, "future_date", column, today=today.isoformat())
        return stamp.dt.floor("D"), refused | partial | future
    report(unreadable, "bad_month", column)
    month = pd.Series(stamp.to_numpy().astype("datetime64[M]").astype("datetime64[s]"), index=text.index)
    future = month.notna() & (month > pd.Timestamp(today.replace(day=1)))
    report(future, "future_month", column, today=f"{today:%Y-%m}")
    return month, refused | future


def _take(per_value: np.ndarray, positions: np.ndarray, missing: object) -> np.ndarray:
    """Spread a result per distinct value back to every row (factorize marks missing values with -1)."""
    out = np.asarray(per_value)[np.where(positions >= 0, positions, 0)] if len(per_value) else np.full(
        len(positions), missing)
    if (positions < 0).any():
        out = out.copy()
        out[positions < 0] = missing
    return out


def _parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(timestamp or NaT, whether a day was given). ISO dates take the fast path; other spellings (2024/6/15,
    2024年6月, 202406, 2024-06) are parsed only for the rows that need it."""
    stamp = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    has_day = stamp.notna()
    rest = stamp.isna() & text.ne("")
    if rest.any():
        sub = text[rest]
        parts = sub.str.extract(_DATE_PARTS)
        parts = parts.fillna(sub.str.extract(_DATE_COMPACT))
        numbers = parts.apply(pd.to_numeric, errors="coerce")
        day_given = numbers[2].notna()
        parsed = pd.to_datetime(
            pd.DataFrame({"year": numbers[0], "month": numbers[1], "day": numbers[2].fillna(1)}), errors="coerce")
        stamp = stamp.copy()
        stamp[rest] = parsed
        has_day = has_day.copy()
        has_day[rest] = day_given & parsed.notna()
    return stamp, has_day


def _ratios(table: Table, raw: pd.DataFrame, out: pd.DataFrame, valid: pd.DataFrame, report,
            reference: Reference) -> None:
    applies = pd.Series(True, index=out.index)
    if table.name == "public_health":
        kinds = out["indicator_code"].map(dict(zip(reference.indicators["code"], reference.indicators["aggregation"],
                                                   strict=True)))
        is_ratio = kinds.isin(RATE_AGGREGATIONS)
        known = valid["indicator_code"]
        denominator = table.column("denominator")
        has_denominator = out["denominator"].notna()
        report(known & is_ratio & ~has_denominator & valid["denominator"], "denominator_required", denominator)
        report(known & ~is_ratio & has_denominator, "denominator_for_count", denominator)
        applies = known & is_ratio
    for numerator, denominator in table.ratios:
        both = applies & valid[numerator] & valid[denominator] & out[denominator].notna()
        exceeds = both & (out[numerator] > out[denominator])
        if exceeds.any():
            shown = raw[numerator] + " > " + raw[denominator]
            report(exceeds, "numerator_exceeds", table.column(numerator), values=shown,
                   numerator=table.column(numerator), denominator=table.column(denominator))


def _referral_rules(raw: pd.DataFrame, out: pd.DataFrame, valid: pd.DataFrame, report,
                    reference: Reference) -> None:
    """A referral goes from one facility to another, in the direction the referral_direction rule gives
    the pair. The rule runs in DuckDB once per distinct pair, and the answer spreads back to the rows."""
    table = TABLES_BY_NAME["referral"]
    codes = (valid["from_facility"] & valid["to_facility"]).to_numpy()
    if not codes.any():
        return
    senders, sender_codes = pd.factorize(out["from_facility"])
    receivers, receiver_codes = pd.factorize(out["to_facility"])
    pair = senders.astype("int64") * len(receiver_codes) + receivers
    pair[~codes] = -1
    distinct, positions = np.unique(pair, return_inverse=True)
    usable = distinct >= 0
    pairs = pd.DataFrame({
        "from_facility": np.asarray(sender_codes, dtype=object)[distinct[usable] // len(receiver_codes)],
        "to_facility": np.asarray(receiver_codes, dtype=object)[distinct[usable] % len(receiver_codes)],
    })
    rules = pairs.merge(reference.expected_directions(pairs), how="left", on=["from_facility", "to_facility"])
    per_pair = np.full(len(distinct), None, dtype=object)
    per_pair[usable] = rules["direction"].to_numpy(dtype=object)
    same_pair = np.zeros(len(distinct), dtype=bool)
    same_pair[usable] = (pairs["from_facility"] == pairs["to_facility"]).to_numpy()
    same = same_pair[positions]
    expected = pd.Series(per_pair[positions], index=out.index)

    def route() -> pd.Series:
        return raw["from_facility"] + " → " + raw["to_facility"]

    to_column = table.column("to_facility")
    if same.any():
        report(same, "same_facility", to_column, values=route())
    not_allowed = codes & ~same & expected.isna().to_numpy()
    if not_allowed.any():
        report(not_allowed, "referral_not_allowed", to_column, values=route())
    column = table.column("direction")
    names = {code: zh for code, zh, _ in column.choices}
    names_en = {code: en for code, _, en in column.choices}
    stated = out["direction"].astype("object")
    wrong = codes & ~same & expected.notna().to_numpy() & valid["direction"].to_numpy() & (
        expected.to_numpy() != stated.to_numpy())
    for direction in pd.unique(expected[wrong]):
        report(wrong & expected.eq(direction).to_numpy(), "direction_mismatch", column,
               expected=names[direction], expected_en=names_en[direction])


def _membership(table: Table, out: pd.DataFrame, valid: pd.DataFrame, report, reference: Reference) -> None:
    both = valid["alliance_code"] & valid["facility_code"]
    members = reference.members.dropna().assign(_member=True)
    joined = out[["alliance_code", "facility_code"]].merge(members, how="left", on=["alliance_code", "facility_code"])
    outside = both & ~pd.Series(joined["_member"].fillna(False).to_numpy(dtype=bool), index=out.index)
    shown = out["alliance_code"].astype("str") + " / " + out["facility_code"].astype("str")
    report(outside, "not_member", table.column("facility_code"), values=shown)


def _duplicates(table: Table, out: pd.DataFrame, valid: pd.DataFrame, report) -> None:
    key = list(table.key or ())
    usable = valid[key].all(axis=1)
    keyed = out.loc[usable, [*key, "_row"]]
    repeated = keyed.duplicated(subset=key, keep="first")
    if not repeated.any():
        return
    first = keyed.groupby(key, sort=False)["_row"].transform("min")
    mask = pd.Series(False, index=out.index)
    mask[keyed.index[repeated.to_numpy()]] = True
    first_row = pd.Series(0, index=out.index)
    first_row[keyed.index] = first.to_numpy()
    labels = "、".join(table.column(name).zh for name in key)
    labels_en = ", ".join(table.column(name).en for name in key)
    report(mask, "duplicate_key", table.column(key[0]), per_row=first_row, key_columns=labels,
           key_columns_en=labels_en)


def _scope_key(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    columns = {name: frame[name] for name in table.scope if name != "month"}
    month = frame[table.month_from]
    columns["month"] = pd.Series(month.to_numpy().astype("datetime64[M]"), index=frame.index)
    return pd.DataFrame(columns)


def _scopes_in_two_places(sources: list[Source], tables: dict[str, pd.DataFrame]) -> Iterable[pd.DataFrame]:
    """One facility's (town's, county's) month may come from one sheet of one file of a load only:
    otherwise which of them replaces what is stored would depend on the order they were read in."""
    for name, frame in tables.items():
        table = TABLES_BY_NAME[name]
        scope = _scope_key(table, frame)
        keys = list(scope.columns)
        if frame["source"].nunique() == 1 and frame["_sheet"].nunique() == 1:
            continue  # one sheet of one file: nothing to clash with
        origin = pd.Series(pd.factorize(frame["source"].astype("str") + "\x00" + frame["_sheet"])[0], index=frame.index)
        first = scope.assign(origin=origin).drop_duplicates()
        spread = first.groupby(keys, sort=False)["origin"].transform("nunique") > 1
        if not spread.any():
            continue
        clash = first[spread.to_numpy()]
        home = clash.groupby(keys, sort=False)["origin"].transform("min")
        later = clash[clash["origin"].to_numpy() != home.to_numpy()]
        for _, group in later.groupby("origin", sort=True):
            rows = frame.loc[group.index]
            other = frame.loc[(origin == home[group.index[0]]).to_numpy()].iloc[0]
            where = sources[int(other["source"])].name + (f"「{other['_sheet']}」" if other["_sheet"] else "")
            months = pd.Series(group["month"].to_numpy().astype("datetime64[M]").astype("str"), index=group.index)
            shown = rows[table.scope[0]].astype("str") + " · " + months
            first = rows.iloc[0]
            yield problems.many(sources[int(first["source"])].name, first["_sheet"], rows["_row"].to_numpy(),
                                "scope_in_two_files", column=table.column(table.scope[0]), values=shown,
                                table=table, other=where)
