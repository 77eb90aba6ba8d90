"""Real-world and hostile files, made from the project's own template: each is refused with its message and
the database stays byte-for-byte the same, or loads with the expected rows.

The template (with the tiny world's codes, tests/support/load_world.py) is filled in as a facility would, then
changed the way offices and attackers change it. LibreOffice (installed by .ci/run) saves many of the files
as .xls, .ods or .xlsx, as offices do: a LibreOffice .xlsx carries the saved results of its formulas. All
conversions of one format happen in one `soffice --convert-to` call. Bombs are measured by the peak memory
of the child process that read them (never by wall-clock time).
"""

from __future__ import annotations

import copy
import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from healthdash.data.columns import TABLES, TABLES_BY_NAME
from healthdash.data.db import open_readonly
from healthdash.ingest import loader
from healthdash.ingest.template import build_template, example_rows
from healthdash.ingest.validate import Reference
from tests.support.load_world import build_tiny, sha256
from tests.support.refusals import assert_refused_with

TODAY = date.today()
BOMB_PEAK_MB = 500  # the reading child's peak resident memory for any bomb (it holds ~100 MB of libraries)
VOLUME = "门急诊与住院服务量"
REFERRAL = "双向转诊"
PUBLIC_HEALTH = "公共卫生"
ALL_TABLES = {table.name: 1 for table in TABLES}


@dataclass
class World:
    template: bytes
    rows: dict[str, dict[str, object]]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("office-corpus") / "health.duckdb")


def make_world(db: Path) -> World:
    with open_readonly(db) as con:
        return World(build_template(con, TODAY), example_rows(Reference.load(con), TODAY))


# Building files ------------------------------------------------------------------------------------------


def column_of(table: str, name: str) -> int:
    return TABLES_BY_NAME[table].names.index(name) + 1


def filled(world: World, change: Callable[[openpyxl.Workbook], None] | None = None,
           skip: tuple[str, ...] = ()) -> openpyxl.Workbook:
    """The template with one valid row (row 3, under the example) on every data sheet but `skip`."""
    book = openpyxl.load_workbook(io.BytesIO(world.template))
    for table in TABLES:
        if table.name in skip:
            continue
        sheet = book[table.zh]
        for position, name in enumerate(table.names, start=1):
            sheet.cell(3, position, world.rows[table.name][name])
    if change:
        change(book)
    return book


def saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx(change: Callable[[openpyxl.Workbook], None] | None = None, skip: tuple[str, ...] = ()) -> Callable[[World], bytes]:
    return lambda world: saved(filled(world, change, skip))


def set_cell(sheet: str, table: str, column: str, value: object, number_format: str | None = None):
    def change(book: openpyxl.Workbook) -> None:
        cell = book[sheet].cell(3, column_of(table, column), value)
        if number_format:
            cell.number_format = number_format
    return change


def volume(column: str, value: object, number_format: str | None = None):
    return set_cell(VOLUME, "service_volume", column, value, number_format)


def referral(column: str, value: object, number_format: str | None = None):
    return set_cell(REFERRAL, "referral", column, value, number_format)


def both(*changes: Callable[[openpyxl.Workbook], None]) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        for one in changes:
            one(book)
    return change


def hide(sheet: str, state: str) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        book[sheet].sheet_state = state
    return change


def remarks(book: openpyxl.Workbook) -> None:
    notes = book.create_sheet("备注")
    notes.append(["说明"])
    notes.append(["11月数据由信息科汇总，联系人：张三"])


def title_row(book: openpyxl.Workbook) -> None:
    book[VOLUME].insert_rows(1)
    book[VOLUME]["A1"] = "2026年门急诊与住院服务量月报"


def styled_far_cell(book: openpyxl.Workbook) -> None:
    book[VOLUME]["XFD1048576"].font = Font(bold=True)


def stray_space(book: openpyxl.Workbook) -> None:
    book[VOLUME]["A1048576"] = " "


def merge_title(book: openpyxl.Workbook) -> None:
    book[VOLUME].merge_cells("A1:B1")


def csv_text(table: str, changes: dict[str, object] | None = None, *, header_above: str = "",
             separator: str = ",") -> Callable[[World], str]:
    def build(world: World) -> str:
        spec = TABLES_BY_NAME[table]
        row = {**world.rows[table], **(changes or {})}
        lines = [header_above] if header_above else []
        lines.append(separator.join(column.zh for column in spec.columns))
        lines.append(separator.join(str(row[name]) if "," not in str(row[name]) else f'"{row[name]}"'
                                    for name in spec.names))
        return "\n".join(lines) + "\n"
    return build


def csv(table: str, changes: dict[str, object] | None = None, encoding: str = "utf-8", **options: str):
    return lambda world: csv_text(table, changes, **options)(world).encode(encoding)


def encrypted(world: World) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(saved(filled(world)))).encrypt("secret", out)
    return out.getvalue()


def remarks_only(world: World) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "备注"
    book.active.append(["本月无数据"])
    return saved(book)


def truncated(world: World) -> bytes:
    data = saved(filled(world))
    return data[: len(data) // 2]


# Bombs: built as bytes, the way a hostile tool writes them (openpyxl would take minutes).

_HEADER = "".join(f'<c r="{letter}1" t="inlineStr"><is><t>{column.zh}</t></is></c>'
                  for letter, column in zip("ABCDEF", TABLES_BY_NAME["service_volume"].columns, strict=True))


def _one_sheet_book(sheet_xml_chunks, shared_strings: bytes | None = None) -> bytes:
    """A minimal .xlsx whose only sheet, 门急诊与住院服务量, is streamed from `sheet_xml_chunks`."""
    book = openpyxl.Workbook()
    book.active.title = VOLUME
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved(book))) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
                    for chunk in sheet_xml_chunks:
                        stream.write(chunk)
            else:
                target.writestr(copy.copy(info), source.read(info.filename))
        if shared_strings is not None:
            target.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def _sheet(rows) -> list[bytes]:
    head = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            f'<row r="1">{_HEADER}</row>').encode()
    return [head, *rows, b"</sheetData></worksheet>"]


def formatting_bomb(world: World) -> bytes:
    """300 MB of XML in a ~10 MB file: ten formatted, empty cells on each of a million rows."""
    cells = "".join(f'<c r="{letter}%(n)d" s="1"/>' for letter in "ABCDEFGHIJ")
    template = f'<row r="%(n)d">{cells}</row>'.encode()

    def rows():
        for start in range(2, 1_048_577, 50_000):
            yield b"".join(template % {b"n": n} for n in range(start, min(start + 50_000, 1_048_577)))
    return _one_sheet_book(_sheet(rows()))


def wide_area(world: World) -> bytes:
    """A million short rows and one cell in column AA: calamine would build 28 million cells."""
    def rows():
        yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="AA2"><v>1</v></c></row>'
        for start in range(3, 1_000_001, 100_000):
            yield b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n)
                           for n in range(start, min(start + 100_000, 1_000_001)))
    return _one_sheet_book(_sheet(rows()))


def beyond_excel(world: World) -> bytes:
    return _one_sheet_book(_sheet([b'<row r="2000000"><c r="A2000000"><v>1</v></c></row>']))


def shared_strings_bomb(world: World) -> bytes:
    """A shared-strings part of 210 MB (one long string) compressed to a few hundred KB."""
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
               b"<si><t>" + b"A" * (210 * 1048576) + b"</t></si></sst>")
    return _one_sheet_book(_sheet([b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), strings)


def repeated_ods(columns: int) -> Callable[[bytes], bytes]:
    """An .ods saved by LibreOffice, plus one row of `columns` valued cells repeated a million times:
    a few bytes on disk, billions of cells once expanded."""
    def change(data: bytes) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
            for info in source.infolist():
                content = source.read(info.filename)
                if info.filename == "content.xml":
                    text = content.decode()
                    end = text.index("</table:table>")
                    text = (text[:end] + '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
                            f'table:number-columns-repeated="{columns}" office:value-type="float" office:value="1">'
                            "<text:p>1</text:p></table:table-cell></table:table-row>" + text[end:])
                    content = text.encode()
                target.writestr(copy.copy(info), content)
        return buffer.getvalue()
    return change


# The corpus ----------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str                                  # the file's name as loaded
    build: Callable[[World], bytes]
    via: str | None = None                     # saved again by LibreOffice as: xlsx, xls or ods
    code: str | None = None                    # refused with this problem; None: accepted
    phrase: str = ""                           # words of the Chinese message
    row: int | None = None
    column: str | None = None
    tables: dict[str, int] | None = None       # accepted: rows per table
    check: Callable[[loader.LoadResult], None] | None = None
    after: Callable[[bytes], bytes] | None = None  # a change after LibreOffice saved it
    bomb: bool = False                          # refused under BOMB_PEAK_MB


def visits(expected: int) -> Callable[[loader.LoadResult], None]:
    def check(result: loader.LoadResult) -> None:
        assert result.checked.tables["service_volume"]["outpatient_visits"].tolist() == [expected]
    return check


def spending(expected: float) -> Callable[[loader.LoadResult], None]:
    def check(result: loader.LoadResult) -> None:
        assert result.checked.tables["service_volume"]["inpatient_spending"].tolist() == [expected]
    return check


def codes(table: str, column: str, expected: str) -> Callable[[loader.LoadResult], None]:
    def check(result: loader.LoadResult) -> None:
        assert result.checked.tables[table][column].tolist() == [expected]
    return check


def referral_day(expected: date) -> Callable[[loader.LoadResult], None]:
    def check(result: loader.LoadResult) -> None:
        assert [day.date() for day in result.checked.tables["referral"]["referral_date"]] == [expected]
    return check


def ignored(*sheets: str) -> Callable[[loader.LoadResult], None]:
    def check(result: loader.LoadResult) -> None:
        assert result.checked.sources[0].ignored_sheets == list(sheets)
    return check


MONTH = "月份"
VOLUME_HEADER = ",".join(column.zh for column in TABLES_BY_NAME["service_volume"].columns).encode() + b"\n"
LAST_MONTH_DAY = datetime.fromordinal(TODAY.replace(day=1).toordinal() - 1)  # the example rows' month
REFERRAL_DAY = date(LAST_MONTH_DAY.year, LAST_MONTH_DAY.month, 15)


def month_loaded(result: loader.LoadResult) -> None:
    month = result.checked.tables["service_volume"]["month"].iloc[0]
    assert (month.year, month.month) == (LAST_MONTH_DAY.year, LAST_MONTH_DAY.month)

CASES = [
    # Accepted: what offices produce.
    Case("filled.xlsx", xlsx(), tables=ALL_TABLES, check=visits(42000)),
    Case("filled_libreoffice.xlsx", xlsx(), via="xlsx", tables=ALL_TABLES, check=visits(42000)),
    Case("filled.xls", xlsx(), via="xls", tables=ALL_TABLES, check=visits(42000)),
    Case("filled.ods", xlsx(), via="ods", tables=ALL_TABLES, check=visits(42000)),
    Case("formulas.xlsx", xlsx(both(volume("outpatient_visits", "=40000+2000"), volume("inpatient_spending", "=C3*300"))),
         via="xlsx", tables=ALL_TABLES, check=spending(12_600_000)),
    Case("formulas.xls", xlsx(volume("outpatient_visits", "=SUM(40000,2000)")), via="xls", tables=ALL_TABLES,
         check=visits(42000)),
    Case("formulas.ods", xlsx(volume("outpatient_visits", "=40000+2000")), via="ods", tables=ALL_TABLES,
         check=visits(42000)),
    Case("full_width.xlsx", xlsx(both(volume("outpatient_visits", "４２０００"), volume("facility_code", "ＨＫ１"))),
         tables=ALL_TABLES, check=visits(42000)),
    Case("zero_width.xlsx", xlsx(both(volume("facility_code", "\ufeffHK\u200b1"),
                                      set_cell(PUBLIC_HEALTH, "public_health", "town_code", "T1\u2060"))),
         tables=ALL_TABLES, check=codes("service_volume", "facility_code", "HK1")),
    Case("ideographic_space.xlsx", xlsx(volume("facility_code", "\u3000HK1\u3000")), tables=ALL_TABLES,
         check=codes("service_volume", "facility_code", "HK1")),
    Case("date_with_time.xlsx", xlsx(referral("referral_date", f"{REFERRAL_DAY} 14:30:00")), tables=ALL_TABLES,
         check=referral_day(REFERRAL_DAY)),
    Case("datetime_cell.xlsx", xlsx(referral("referral_date", datetime(REFERRAL_DAY.year, REFERRAL_DAY.month,
                                                                          REFERRAL_DAY.day, 14, 30))),
         tables=ALL_TABLES, check=referral_day(REFERRAL_DAY)),
    Case("his_export_双向转诊.csv", csv("referral", {"referral_date": f"{REFERRAL_DAY} 14:30:00"}),
         tables={"referral": 1}, check=referral_day(REFERRAL_DAY)),
    Case("remarks.xlsx", xlsx(remarks), tables=ALL_TABLES, check=ignored("备注")),
    Case("remarks.ods", xlsx(remarks), via="ods", tables=ALL_TABLES, check=ignored("备注")),
    Case("thousands.xlsx", xlsx(both(volume("outpatient_visits", "42,000"), volume("inpatient_spending", "12,600,000.00"))),
         tables=ALL_TABLES, check=spending(12_600_000)),
    Case("month_date_cell.xlsx", xlsx(volume("month", LAST_MONTH_DAY.replace(day=1), "yyyy-mm")), tables=ALL_TABLES,
         check=month_loaded),
    Case("month_date_cell.xls", xlsx(volume("month", LAST_MONTH_DAY.replace(day=1), "yyyy\"年\"m\"月\"")), via="xls",
         tables=ALL_TABLES, check=month_loaded),
    Case("month_in_chinese.ods", xlsx(volume("month", f"{LAST_MONTH_DAY.year}年{LAST_MONTH_DAY.month}月")), via="ods",
         tables=ALL_TABLES, check=month_loaded),
    Case("hidden_empty_sheet.xlsx", xlsx(hide(PUBLIC_HEALTH, "hidden"), skip=("public_health",)),
         tables={name: 1 for name in ALL_TABLES if name != "public_health"}),
    Case("utf16_without_bom_公共卫生.csv", csv("public_health", encoding="utf-16-le"), tables={"public_health": 1}),
    Case("utf16_big_endian_公共卫生.csv", csv("public_health", encoding="utf-16-be"), tables={"public_health": 1}),
    Case("full_width_门急诊与住院服务量.csv", csv("service_volume", {"outpatient_visits": "４２０００"}),
         tables={"service_volume": 1}, check=visits(42000)),
    Case("bom_in_code_门急诊与住院服务量.csv", csv("service_volume", {"facility_code": "\ufeffHK1"}),
         tables={"service_volume": 1}, check=codes("service_volume", "facility_code", "HK1")),

    # Refused: silent corruption no more.
    Case("numeric_month.xlsx", xlsx(volume("month", 2025.1)), code="numeric_month", phrase="2025.10 会变成 2025.1",
         row=3, column=MONTH),
    Case("numeric_month.xls", xlsx(volume("month", 2025.1)), via="xls", code="numeric_month", phrase="月份是数字",
         row=3, column=MONTH),
    Case("numeric_month.ods", xlsx(volume("month", 2025.1)), via="ods", code="numeric_month", phrase="月份是数字",
         row=3, column=MONTH),
    Case("numeric_month_yyyymm.xlsx", xlsx(volume("month", 202511)), code="numeric_month", phrase="月份是数字", row=3),
    Case("numeric_date.xlsx", xlsx(referral("referral_date", 45000)), code="numeric_date", phrase="日期是数字", row=3),
    Case("ambiguous_month_门急诊与住院服务量.csv", csv("service_volume", {"month": "2025.1"}), code="ambiguous_month",
         phrase="2025-01 或 2025-10", row=2, column=MONTH),
    Case("ambiguous_month.xlsx", xlsx(volume("month", "2025.1")), code="ambiguous_month", phrase="1 月还是 10 月", row=3),
    Case("decimal_comma_门急诊与住院服务量.csv", csv("service_volume", {"inpatient_spending": "1234,56"}),
         code="bad_thousands", phrase="千位分隔符", row=2, column="住院医疗费用(元)"),
    Case("decimal_comma.xlsx", xlsx(volume("critical_cases", "12,6")), code="bad_thousands", phrase="小数请用小数点",
         row=3, column="急危重症救治例数"),
    Case("lakh_grouping_门急诊与住院服务量.csv", csv("service_volume", {"outpatient_visits": "1,23,456"}),
         code="bad_thousands", phrase="千位分隔符", row=2),
    Case("month_0001_门急诊与住院服务量.csv", csv("service_volume", {"month": "0001-01"}), code="early_month",
         phrase="早于 2000-01", row=2, column=MONTH),
    Case("month_1066.xlsx", xlsx(volume("month", "1066-10")), code="early_month", phrase="早于 2000-01", row=3),
    Case("month_1999.ods", xlsx(volume("month", "1999-12")), via="ods", code="early_month", phrase="早于 2000-01", row=3),
    Case("date_0001_双向转诊.csv", csv("referral", {"referral_date": "0001-01-01"}), code="early_date",
         phrase="日期早于 2000-01", row=2),
    Case("amount_1e308.xlsx", xlsx(volume("inpatient_spending", 1e308)), code="too_big", phrase="上限 10,000,000,000",
         row=3, column="住院医疗费用(元)"),
    Case("visits_too_many_门急诊与住院服务量.csv", csv("service_volume", {"outpatient_visits": 6_000_000}),
         code="too_big", phrase="上限 5,000,000", row=2, column="门急诊人次"),
    Case("numerator_too_big.xls", xlsx(set_cell(PUBLIC_HEALTH, "public_health", "numerator", 2e8)), via="xls",
         code="too_big", phrase="上限 100,000,000", row=3),
    Case("hidden_sheet.xlsx", xlsx(hide(VOLUME, "hidden")), code="hidden_sheet", phrase="是隐藏的，其中有 1 行数据"),
    Case("very_hidden_sheet.xlsx", xlsx(hide(VOLUME, "veryHidden")), code="very_hidden_sheet", phrase="深度隐藏"),
    Case("hidden_sheet.ods", xlsx(hide(VOLUME, "hidden")), via="ods", code="hidden_sheet", phrase="是隐藏的"),
    Case("hidden_sheet.xls", xlsx(hide(REFERRAL, "hidden")), via="xls", code="hidden_sheet", phrase="是隐藏的"),
    Case("title_row.xlsx", xlsx(title_row), code="header_not_first_row", phrase="看起来在第 2 行", row=2),
    Case("title_row.ods", xlsx(title_row), via="ods", code="header_not_first_row", phrase="看起来在第 2 行", row=2),
    Case("title_row_门急诊与住院服务量.csv", csv("service_volume", header_above="2026年门急诊月报"),
         code="header_not_first_row", phrase="删除表头上方的 1 行", row=2),
    Case("semicolons_门急诊与住院服务量.csv", csv("service_volume", separator=";"), code="csv_semicolon",
         phrase="分号（;）"),
    Case("encrypted.xlsx", encrypted, code="encrypted", phrase="文件已加密"),
    Case("formula_without_result.xlsx", xlsx(volume("outpatient_visits", "=40000+2000")), code="formula_no_result",
         phrase="单元格 C3 是公式", row=3),
    Case("formula_error.xlsx", xlsx(volume("outpatient_visits", "=1/0")), via="xlsx", code="cell_error",
         phrase="单元格 C3 的公式结果是错误值", row=3),
    Case("merged_header.xls", xlsx(merge_title), via="xls", code="merged_header", phrase="表头有合并单元格", row=1),
    Case("negative.ods", xlsx(volume("outpatient_visits", -5)), via="ods", code="negative", phrase="不能为负数", row=3),
    Case("unknown_facility.xls", xlsx(volume("facility_code", "H000")), via="xls", code="unknown_facility",
         phrase="机构代码不存在", row=3),
    Case("text_renamed.ods", csv("service_volume"), code="not_workbook_content", phrase="内容不是 Excel"),
    Case("truncated.xlsx", truncated, code="not_workbook_content", phrase="无法读取"),
    Case("report.docx", xlsx(), code="unsupported_type", phrase="不支持的文件类型（.docx）"),
    Case("remarks_only.xlsx", remarks_only, code="no_data_ignored", phrase="已忽略工作表：备注"),
    Case("short_rows_门急诊与住院服务量.csv", lambda w: VOLUME_HEADER + b"HK1,2024-01,1\n" * 3, code="csv_columns",
         phrase="与表头的 6 列不一致", row=2),
    Case("unclosed_quote_门急诊与住院服务量.csv", lambda w: VOLUME_HEADER + b'"' + b"x" * 200_000,
         code="csv_unreadable", phrase="引号"),

    # Refused: bombs, within seconds and a few hundred MB.
    Case("styled_far_cell.xlsx", xlsx(styled_far_cell), code="sheet_too_wide", phrase="XFD1048576", bomb=True),
    Case("stray_space.xlsx", xlsx(stray_space), code="sheet_sparse", phrase="A1048576 单元格远在数据下方", bomb=True),
    Case("stray_space_libreoffice.xlsx", xlsx(stray_space), via="xlsx", code="sheet_sparse", phrase="A1048576",
         bomb=True),
    Case("formatting_bomb.xlsx", formatting_bomb, code="sheet_mostly_formatting", phrase="其余都是空白格式", bomb=True),
    Case("wide_area.xlsx", wide_area, code="sheet_too_many_cells", phrase="超过上限 12,000,000 个", bomb=True),
    Case("beyond_excel.xlsx", beyond_excel, code="sheet_too_long", phrase="1,048,576 行上限", bomb=True),
    Case("shared_strings_bomb.xlsx", shared_strings_bomb, code="part_too_large", phrase="xl/sharedStrings.xml",
         bomb=True),
    Case("repeated_cells.ods", xlsx(), via="ods", after=repeated_ods(16_000), code="book_too_many_cells",
         phrase="超过上限", bomb=True),
    # Below calamine's own cell limit, this one is stopped by the child's memory limit: the child dies, so
    # it reports no peak of its own.
    Case("repeated_rows.ods", xlsx(), via="ods", after=repeated_ods(90), code="read_memory", phrase="内存超过上限"),
]


def test_the_corpus_has_at_least_60_files_both_kinds_and_every_format() -> None:
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)
    assert sum(case.code is None for case in CASES) >= 20 and sum(case.code is not None for case in CASES) >= 40
    assert {case.via for case in CASES} >= {None, "xlsx", "xls", "ods"}


def _soffice() -> str:
    found = shutil.which("soffice")
    assert found, "LibreOffice is needed to write .xls, .ods and cached formulas: apt-get install libreoffice-calc"
    return found


@pytest.fixture(scope="module")
def corpus(db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every case's file, by name. LibreOffice saves all the files of one format in one call."""
    world = make_world(db)
    work = tmp_path_factory.mktemp("office-files")
    files: dict[str, bytes] = {}
    by_format: dict[str, list[Case]] = {}
    for case in CASES:
        if case.via is None:
            files[case.name] = case.build(world)
        else:
            by_format.setdefault(case.via, []).append(case)
    profile = (work / "profile").as_uri()
    for kind, cases in by_format.items():
        source, target = work / f"from-{kind}", work / f"to-{kind}"
        source.mkdir()
        for case in cases:
            (source / f"{Path(case.name).stem}.xlsx").write_bytes(case.build(world))
        subprocess.run([_soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", kind,
                        "--outdir", str(target), *sorted(str(path) for path in source.iterdir())],
                       check=True, capture_output=True, timeout=300)
        for case in cases:
            data = (target / f"{Path(case.name).stem}.{kind}").read_bytes()
            files[case.name] = case.after(data) if case.after else data
    return files


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_file_is_refused_with_its_message_or_loads_its_rows(case: Case, corpus: dict[str, bytes], db: Path,
                                                                tmp_path: Path) -> None:
    path = tmp_path / case.name
    path.write_bytes(corpus[case.name])
    before = sha256(db)
    if case.code is None:
        result = loader.dry_run(db, loader.read_paths([path]))
        assert result.ok, result.checked.problems[["sheet", "row", "column", "value", "message_zh"]].to_dict("records")
        assert {name: len(frame) for name, frame in result.checked.tables.items()} == case.tables
        if case.check:
            case.check(result)
        return
    result = loader.apply(db, loader.read_paths([path]), "tester")
    assert not result.applied
    assert sha256(db) == before
    found = result.checked.problems
    hit = assert_refused_with(found, path, case.code, case.phrase, case.row, case.column)
    if case.bomb:
        assert hit["message_zh"].startswith("无法读取")
        peak = result.checked.sources[0].peak_rss_mb
        assert peak is not None and peak < BOMB_PEAK_MB, f"the reading child peaked at {peak} MB"


def test_an_accepted_office_file_stores_what_the_plain_one_stores(corpus: dict[str, bytes], db: Path,
                                                                  tmp_path: Path) -> None:
    stored = []
    for name in ("filled.xlsx", "filled.xls", "filled.ods", "formulas.xlsx"):
        copy_of = tmp_path / name / "health.duckdb"
        copy_of.parent.mkdir()
        shutil.copyfile(db, copy_of)
        path = tmp_path / name / name
        path.write_bytes(corpus[name])
        result = loader.apply(copy_of, loader.read_paths([path]), "tester")
        assert result.applied, result.checked.problems.to_dict("records")
        assert {table: counts["added"] for table, counts in result.totals().items()} == ALL_TABLES
        with open_readonly(copy_of) as con:
            stored.append(con.execute("select * exclude (referral_id, import_batch) from referral "
                                      "where import_batch is not null").fetchall()
                          + con.execute("select * from service_volume where month > date '2025-01-01'").fetchall())
    assert all(rows == stored[0] for rows in stored[1:]), stored
