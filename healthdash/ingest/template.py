"""The Excel template facilities fill in each month: one sheet per fact table, sheets of valid codes.

Headers, value kinds and allowed values come from columns.py, codes from the database, so a filled
template always loads when its values are right. Every data sheet has drop-down lists for codes and
choices, and one example row (row 2, first cell starting with 示例) that the loader skips.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from healthdash.core.exports import put
from healthdash.core.i18n import t
from healthdash.core.indicators import RATE_AGGREGATIONS
from healthdash.data.columns import (
    ALLIANCE,
    AMOUNT,
    CHOICE,
    CODE,
    CODE_SHEETS,
    COUNT,
    COUNTY,
    DATE,
    EXAMPLE_MARK,
    FACILITY,
    FLAG,
    INDICATOR,
    MONTH,
    TABLES,
    TABLES_BY_NAME,
    TOWN,
    Column,
    Table,
)
from healthdash.data.db import open_readonly
from healthdash.ingest.validate import Reference

FILE_NAME = "医联体监测数据上报模板.xlsx"
_LAST_ROW = 20000  # drop-downs and checks reach this far down each data sheet
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F4")
_HEADER_FONT = Font(bold=True, color="1A1F2B")
_EXAMPLE_FONT = Font(italic=True, color="7F7F7F")
_TITLE_FONT = Font(bold=True, size=14)


def _z(key: str, **values: object) -> str:
    """Template text: always Chinese, the language of the facilities that fill it in."""
    return t(f"template.{key}", lang="zh", **values)


def build_template(con: duckdb.DuckDBPyConnection, today: date | None = None) -> bytes:
    """The template workbook as bytes, with the codes of the database behind `con`."""
    today = today or date.today()
    reference = Reference.load(con)
    book = Workbook()
    book.remove(book.active)
    _instructions(book.create_sheet(CODE_SHEETS["instructions"]))
    data_sheets = {table.name: book.create_sheet(table.zh) for table in TABLES}
    ranges = _code_sheets(book, reference)
    examples = example_rows(reference, today)
    for table in TABLES:
        _data_sheet(data_sheets[table.name], table, ranges, examples[table.name])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_template(db: Path, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open_readonly(db) as con:
        content = build_template(con)
    path = out_dir / FILE_NAME
    path.write_bytes(content)
    return path


# Sheets -------------------------------------------------------------------------------------------------


def _instructions(sheet: Worksheet) -> None:
    put(sheet, 1, 1, _z("title")).font = _TITLE_FONT
    row = 3
    for number in range(1, 8):
        put(sheet, row, 1, _z(f"rule{number}")).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    headers = [_z("col_table"), _z("col_header"), _z("col_required"), _z("col_content")]
    for position, text in enumerate(headers, start=1):
        cell = put(sheet, row, position, text)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for table in TABLES:
        for column in table.columns:
            row += 1
            put(sheet, row, 1, table.zh)
            put(sheet, row, 2, column.zh)
            put(sheet, row, 3, _z("yes") if column.required else _z("no"))
            put(sheet, row, 4, _describe(column)).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (22, 24, 8, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions["A"].width = 22


def _describe(column: Column) -> str:
    kind = {CODE: "code", MONTH: "month", DATE: "date", COUNT: "count", AMOUNT: "amount", CHOICE: "choice",
            FLAG: "flag"}[column.kind]
    text = _z(f"kind_{kind}")
    if column.note:
        text = f"{text}；{column.note}"
    if column.kind in (COUNT, AMOUNT):
        text = f"{text}；{_z('at_most', limit=f'{column.upper_bound:,.0f}')}"
    return text


def _code_sheets(book: Workbook, reference: Reference) -> dict[str, str]:
    """Write the code sheets; return ref -> the range a drop-down list of that ref points at."""
    regions = reference.regions
    facilities = reference.facilities
    members = reference.members
    indicators = reference.indicators
    _table_sheet(book.create_sheet(CODE_SHEETS["regions"]), [
        (_z("code"), regions["code"]), (_z("name"), regions["name"]),
        (_z("level"), regions["level"].map(lambda v: t(f"level.{v}", lang="zh"))),
        (_z("parent"), regions["parent_name"]),
        (_z("in_scope"), regions["in_scope"].map({True: _z("yes"), False: _z("no")})),
    ])
    _table_sheet(book.create_sheet(CODE_SHEETS["facilities"]), [
        (_z("code"), facilities["code"]), (_z("name"), facilities["name"]),
        (_z("tier"), facilities["tier"].map(lambda v: t(f"tier.{v}", lang="zh"))),
        (_z("place"), facilities["place_name"]), (_z("county"), facilities["county_name"]),
        (_z("in_scope"), facilities["in_scope"].map({True: _z("yes"), False: _z("no")})),
    ])
    alliances = members.drop_duplicates("alliance_code")
    _table_sheet(book.create_sheet(CODE_SHEETS["alliances"]), [
        (_z("code"), alliances["alliance_code"]), (_z("name"), alliances["alliance_name"]),
        (_z("kind"), alliances["kind"].map(lambda v: _z(f"alliance_kind.{v}"))),
        (_z("integration"), alliances["integration"].map(lambda v: _z(f"integration_type.{v}"))),
        (_z("lead"), alliances["lead_name"]), (_z("home"), alliances["home_name"]),
    ])
    listed = members.dropna(subset=["facility_code"])
    _table_sheet(book.create_sheet(CODE_SHEETS["members"]), [
        (_z("alliance_code"), listed["alliance_code"]), (_z("alliance_name"), listed["alliance_name"]),
        (_z("facility_code"), listed["facility_code"]), (_z("facility_name"), listed["facility_name"]),
        (_z("role"), listed["role"].map(lambda v: _z(f"member_role.{v}"))),
    ])
    _table_sheet(book.create_sheet(CODE_SHEETS["indicators"]), [
        (_z("code"), indicators["code"]), (_z("name"), indicators["name_zh"]), (_z("unit"), indicators["unit"]),
        (_z("denominator"), indicators["aggregation"].map(
            lambda v: _z("yes") if v in RATE_AGGREGATIONS else _z("no_denominator"))),
        (_z("definition"), indicators["definition_zh"]),
    ])
    counties = int((regions["in_scope"] & regions["level"].eq("county")).sum())
    towns = int((regions["in_scope"] & regions["level"].eq("town")).sum())

    def span(sheet: str, first: int, count: int) -> str:
        return f"'{sheet}'!$A${first}:$A${first + max(count, 1) - 1}"

    return {
        COUNTY: span(CODE_SHEETS["regions"], 2, counties),
        TOWN: span(CODE_SHEETS["regions"], 2 + counties, towns),
        FACILITY: span(CODE_SHEETS["facilities"], 2, len(facilities)),
        ALLIANCE: span(CODE_SHEETS["alliances"], 2, len(alliances)),
        INDICATOR: span(CODE_SHEETS["indicators"], 2, len(indicators)),
    }


def _table_sheet(sheet: Worksheet, columns: list[tuple[str, pd.Series]]) -> None:
    for position, (header, values) in enumerate(columns, start=1):
        cell = put(sheet, 1, position, header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        for row, value in enumerate(values.tolist(), start=2):
            put(sheet, row, position, None if pd.isna(value) else str(value)).number_format = "@"
        widest = max([len(str(value)) for value in values.tolist()] + [len(header)], default=8)
        sheet.column_dimensions[get_column_letter(position)].width = min(max(10, widest * 2 + 2), 60)
    sheet.freeze_panes = "A2"


def _data_sheet(sheet: Worksheet, table: Table, ranges: dict[str, str], example: dict[str, object]) -> None:
    for position, column in enumerate(table.columns, start=1):
        letter = get_column_letter(position)
        cell = put(sheet, 1, position, column.zh)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(_describe(column), "模板")
        value = example[column.name]
        if position == 1:
            value = f"{EXAMPLE_MARK} {value}"
        example_cell = put(sheet, 2, position, value)
        example_cell.font = _EXAMPLE_FONT
        if column.kind in (CODE, MONTH, DATE, CHOICE, FLAG):
            example_cell.number_format = "@"
            # Text for the whole column: a month typed 2025.10 stays "2025.10", not the number 2025.1.
            sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = max(12, min(len(column.zh) * 2 + 4, 28))
        validation = _validation(column, ranges)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{_LAST_ROW}")
    sheet.row_dimensions[1].height = 34
    sheet.freeze_panes = "A2"


def _validation(column: Column, ranges: dict[str, str]) -> DataValidation | None:
    if column.kind == CODE:
        check = DataValidation(type="list", formula1=ranges[column.ref], allow_blank=True)
        message = _z("pick_code")
    elif column.kind in (CHOICE, FLAG):
        options = [zh for _, zh, _ in column.choices] if column.kind == CHOICE else ["是", "否"]
        check = DataValidation(type="list", formula1=f'"{",".join(options)}"', allow_blank=True)
        message = _z("pick_choice", options="、".join(options))
    elif column.kind in (COUNT, AMOUNT):
        check = DataValidation(type="whole" if column.kind == COUNT else "decimal", operator="greaterThanOrEqual",
                               formula1="0", allow_blank=True)
        message = _z("non_negative_whole" if column.kind == COUNT else "non_negative")
    else:
        return None
    check.error, check.errorTitle, check.showErrorMessage = message, _z("error_title"), True
    return check


# Example rows ---------------------------------------------------------------------------------------------


def example_rows(reference: Reference, today: date) -> dict[str, dict[str, object]]:
    """One plausible, valid row per table, built from the database's own codes."""
    last = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    month = f"{last:%Y-%m}"
    facilities = reference.facilities[reference.facilities["in_scope"]]
    regions = reference.regions[reference.regions["in_scope"]]
    hospital = facilities.loc[facilities["tier"].eq("county"), "code"].iloc[0]
    county = regions.loc[regions["level"].eq("county"), "code"].iloc[0]
    town = regions.loc[regions["level"].eq("town"), "code"].iloc[0]
    member = reference.members.dropna(subset=["facility_code"])
    member = member[member["role"].eq("member")].iloc[0]
    # A pathogen network's sending institution (a CDC among the members) where there is one.
    cdcs = set(facilities.loc[facilities["tier"].eq("public_health"), "code"])
    labs = reference.members[reference.members["role"].eq("member") & reference.members["facility_code"].isin(cdcs)]
    sender_lab = labs.iloc[0] if len(labs) else member
    indicator = reference.indicators.loc[reference.indicators["aggregation"].eq("ratio"), "code"].iloc[0]
    sender, receiver, direction = _example_referral(reference, facilities)
    direction_zh = {code: zh for code, zh, _ in TABLES_BY_NAME["referral"].column("direction").choices}[direction]
    referral_day = date(last.year, last.month, 15)
    return {
        "service_volume": {"facility_code": hospital, "month": month, "outpatient_visits": 42000,
                           "inpatient_discharges": 2100, "critical_cases": 95, "inpatient_spending": 12600000},
        "resident_care": {"county_code": county, "month": month, "setting": "门诊", "visits_in_county": 380000,
                          "visits_out_of_county": 21000, "fund_in_county": 5200000, "fund_out_of_county": 900000,
                          "spending_out_of_county": 1500000, "fund_primary": 2300000},
        "referral": {"from_facility": sender, "to_facility": receiver, "referral_date": referral_day.isoformat(),
                     "direction": direction_zh, "disease_chapter": "IX", "green_channel": "否", "status": "已完成"},
        "alliance_activity": {"alliance_code": member["alliance_code"], "facility_code": member["facility_code"],
                              "month": month, "doctors_sent": 2, "nurses_sent": 1, "pharmacists_sent": 0,
                              "technicians_sent": 1, "posted_physicians": 1, "expert_clinic_sessions": 8,
                              "teaching_rounds": 4, "lectures": 2, "surgery_demos": 1, "trainees_sent_up": 1,
                              "new_techniques": 0},
        "shared_service": {"alliance_code": member["alliance_code"], "facility_code": member["facility_code"],
                           "month": month, "service": "影像", "remote_cases": 120, "cases_reviewed": 40,
                           "concordant": 36, "films_graded": 40, "grade_a_films": 28},
        "public_health": {"town_code": town, "month": month, "indicator_code": indicator, "numerator": 1850,
                          "denominator": 2000},
        "staff_income": {"county_code": county, "month": f"{last.year - 1}-12", "primary_avg_income": 96000,
                         "lead_avg_income": 148000},
        "poverty_monitoring": {"town_code": town, "month": month, "monitored_households": 412, "monitored_people": 1180,
                               "contracted_people": 1150, "households_exited": 0, "people_exited": 0,
                               "inpatient_spending": 265000, "out_of_pocket": 24000, "village_clinics": 9,
                               "village_clinics_standard": 9},
        "serious_illness": {"town_code": town, "month": month, "disease": "肺癌", "cases": 6, "treated": 6},
        "elderly_care": {"town_code": town, "month": month, "setting": "乡镇卫生院", "beds": 20, "residents": 15,
                         "admissions": 2},
        "workforce_register": {"facility_code": hospital, "month": month, "physicians": 312, "nurses": 405,
                               "technicians": 38, "village_doctors": 0, "village_doctors_licensed": 0},
        "pathogen_test": {"alliance_code": sender_lab["alliance_code"], "facility_code": sender_lab["facility_code"],
                          "month": month, "cases_sent": 46, "cases_identified": 43, "turnaround_hours": 2580},
    }


def _example_referral(reference: Reference, facilities: pd.DataFrame) -> tuple[str, str, str]:
    """A village clinic and the township centre of its town, with the direction the rule gives them."""
    villages = facilities[facilities["tier"].eq("village")]
    centres = facilities[facilities["tier"].isin(["township", "community"])]
    pairs = villages.merge(centres, on="town_code", suffixes=("_from", "_to")).head(20)
    pairs = pd.DataFrame({"from_facility": pairs["code_from"], "to_facility": pairs["code_to"]})
    rules = reference.expected_directions(pairs).dropna(subset=["direction"])
    row = rules.iloc[0]
    return row["from_facility"], row["to_facility"], row["direction"]
