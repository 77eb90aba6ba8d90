"""The one mapping between the files data officers fill in and the fact tables of data/schema.sql.

Template (template.py), reader and validator (loadfile.py, validate.py) and error messages all take
table names, Chinese headers, value kinds, code lists and allowed values from here, so a header renamed
here is renamed everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

# Kinds of value a column holds.
CODE = "code"          # a code that must exist in a dimension table (see `ref`)
MONTH = "month"        # a month: 2024-06, 2024/6, 2024年6月, or any date in it
DATE = "date"          # a full date: 2024-06-15, 2024/6/15, 2024年6月15日
COUNT = "count"        # whole number ≥ 0 (fits a 32-bit integer)
AMOUNT = "amount"      # number ≥ 0 (元, or a numerator/denominator)
CHOICE = "choice"      # one of `choices`, written as its Chinese label or its code
FLAG = "flag"          # yes/no: 是/否, 1/0, true/false

# What a code column refers to: the dimension it must exist in.
FACILITY = "facility"
COUNTY = "county"
TOWN = "town"
ALLIANCE = "alliance"
INDICATOR = "indicator"
REFS = (FACILITY, COUNTY, TOWN, ALLIANCE, INDICATOR)

INT32_MAX = 2**31 - 1
# Months and dates are accepted from this month on (and not after the current month or day).
FIRST_MONTH = "2000-01"

# Default upper bounds of a figure for one reporting unit and month (a column may set its own `limit`).
COUNT_LIMIT = 10_000_000
AMOUNT_LIMIT = 10_000_000_000

# Characters nobody sees on screen that arrive with copied codes: zero-width space, joiners, word joiner,
# soft hyphen and the byte-order mark. Removed from every value and header (a regular expression).
INVISIBLE = "[\u200b\u200c\u200d\u2060\u00ad\ufeff]"

# The prefix of the template's example row in its first column: such rows are skipped on load.
EXAMPLE_MARK = "示例"


@dataclass(frozen=True)
class Column:
    name: str                 # column of the schema table
    zh: str                   # header in the template (Chinese)
    en: str                   # English label, for messages in English
    kind: str
    ref: str | None = None    # for CODE: one of REFS
    choices: tuple[tuple[str, str, str], ...] = ()  # for CHOICE: (code, 中文, English)
    required: bool = True
    note: str = ""            # what to enter, shown in the template's instructions
    # For facility codes: a facility outside the monitored places is allowed (referral receivers and
    # senders of patients returned into a county are often provincial hospitals).
    outside_ok: bool = False
    # For COUNT and AMOUNT: the largest plausible figure for one reporting unit and month; larger ones are
    # typing or unit errors (1e308 元), refused with this bound in the message.
    limit: float | None = None

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def upper_bound(self) -> float:
        if self.limit is not None:
            return self.limit
        return COUNT_LIMIT if self.kind == COUNT else AMOUNT_LIMIT


@dataclass(frozen=True)
class Table:
    name: str                 # schema table
    zh: str                   # sheet name in the template
    en: str
    columns: tuple[Column, ...]
    # Identity of a row; two rows of a file with the same key are duplicates. None for referral events:
    # two identical rows are two patients.
    key: tuple[str, ...] | None
    # For tables without a key, the unit a load replaces (see `scope`).
    event_scope: tuple[str, ...] = ()
    # (numerator, denominator) pairs: the numerator may not exceed the denominator.
    ratios: tuple[tuple[str, str], ...] = ()
    month_from: str = "month"  # the column whose month is the scope's month

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def scope(self) -> tuple[str, ...]:
        """The unit a load replaces: what is stored for every unit in the file is replaced by the file's
        rows. A row's key where there is one; for referrals, the sending facility's month ("month" is
        then the month of `month_from`), since events have no key."""
        return self.key if self.key is not None else self.event_scope

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _facility(name: str = "facility_code", zh: str = "机构代码", en: str = "facility code",
              outside_ok: bool = False) -> Column:
    return Column(name, zh, en, CODE, ref=FACILITY, note="见「机构代码」表", outside_ok=outside_ok)


def _town() -> Column:
    return Column("town_code", "乡镇/街道代码", "town code", CODE, ref=TOWN, note="见「区划代码」表中的乡镇/街道")


def _month() -> Column:
    return Column("month", "月份", "month", MONTH, note="如 2024-06；填报月份，不晚于当前月份")


def _count(name: str, zh: str, en: str, note: str = "", limit: float | None = None) -> Column:
    return Column(name, zh, en, COUNT, note=note or "非负整数", limit=limit)


def _amount(name: str, zh: str, en: str, note: str = "", limit: float | None = None) -> Column:
    return Column(name, zh, en, AMOUNT, note=note or "非负数，单位：元", limit=limit)


# Bounds per facility (county, town) and month, about ten times the largest unit in the country.
_STAFF = 10_000          # people sent or posted, sessions, trainings: per receiving facility and month
_CASES = 1_000_000       # remote cases per facility and month
_PEOPLE = 100_000_000    # public-health numerators and denominators (people, doses) per town and month
_TOWN_PEOPLE = 1_000_000  # people, households, beds of one town's report
_INCOME = 5_000_000      # 元 per person and year: an average income above this is a unit error (万元 or 元/月 mixed up)


# 大病专项救治 disease groups (code, 中文, English): the first nine of 2017, then those added since (自贡: lung,
# breast and cervical cancer, children's cancers, pneumoconiosis among them).
SERIOUS_ILLNESSES: tuple[tuple[str, str, str], ...] = (
    ("child_heart", "儿童先天性心脏病", "congenital heart disease (children)"),
    ("child_leukemia", "儿童白血病", "leukaemia (children)"),
    ("esophageal", "食管癌", "oesophageal cancer"),
    ("gastric", "胃癌", "stomach cancer"),
    ("colorectal", "结直肠癌", "colorectal cancer"),
    ("renal", "终末期肾病", "end-stage renal disease"),
    ("mental", "重性精神病", "severe mental illness"),
    ("mdr_tb", "耐多药肺结核", "multidrug-resistant tuberculosis"),
    ("lung", "肺癌", "lung cancer"),
    ("breast", "乳腺癌", "breast cancer"),
    ("cervical", "宫颈癌", "cervical cancer"),
    ("child_cancer", "儿童其他恶性肿瘤", "other cancers (children)"),
    ("pneumoconiosis", "尘肺病", "pneumoconiosis"),
    ("other", "其他病种", "other"),
)
# The groups added in 2018 (the first nine date from 2017).
ILLNESSES_ADDED_2018: tuple[str, ...] = ("lung", "breast", "cervical", "child_cancer", "pneumoconiosis")

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
          "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII")

TABLES: tuple[Table, ...] = (
    Table(
        "service_volume", "门急诊与住院服务量", "service volume",
        (
            _facility(),
            _month(),
            _count("outpatient_visits", "门急诊人次", "outpatient and emergency visits", limit=5_000_000),
            _count("inpatient_discharges", "出院人次", "inpatient discharges", limit=500_000),
            _count("critical_cases", "急危重症救治例数", "critically ill patients treated", limit=500_000),
            _amount("inpatient_spending", "住院医疗费用(元)", "inpatient spending (yuan)"),
        ),
        key=("facility_code", "month"),
    ),
    Table(
        "resident_care", "县域居民就诊与医保", "residents' care and insurance",
        (
            Column("county_code", "区县代码", "county code", CODE, ref=COUNTY, note="见「区划代码」表中的区县"),
            _month(),
            Column("setting", "就诊类型", "setting", CHOICE,
                   choices=(("outpatient", "门诊", "outpatient"), ("inpatient", "住院", "inpatient")),
                   note="门诊 或 住院"),
            _count("visits_in_county", "县域内就诊人次", "visits in the county", limit=50_000_000),
            _count("visits_out_of_county", "县域外就诊人次", "visits outside the county", limit=50_000_000),
            _amount("fund_in_county", "县域内医保基金支出(元)", "insurance fund paid in the county (yuan)"),
            _amount("fund_out_of_county", "县域外医保基金支出(元)", "insurance fund paid outside (yuan)"),
            _amount("spending_out_of_county", "县域外医疗费用(元)", "spending outside the county (yuan)"),
            Column("fund_primary", "其中：基层医疗卫生机构医保基金支出(元)", "of which paid to primary care (yuan)",
                   AMOUNT, required=False, note="非负数，单位：元；县域内医保基金支出中支付给基层医疗卫生机构的部分，可不填"),
        ),
        key=("county_code", "month", "setting"),
        ratios=(("fund_primary", "fund_in_county"),),
    ),
    Table(
        "referral", "双向转诊", "referrals",
        (
            _facility("from_facility", "转出机构代码", "referring facility code", outside_ok=True),
            _facility("to_facility", "转入机构代码", "receiving facility code", outside_ok=True),
            Column("referral_date", "转诊日期", "referral date", DATE, note="如 2024-06-15，不晚于今天"),
            Column("direction", "转诊方向", "direction", CHOICE,
                   choices=(("up", "上转", "up"), ("down", "下转", "down"),
                            ("out_of_county", "县外转诊", "out of county"), ("returned", "转回", "returned")),
                   note="上转/下转/县外转诊/转回，须与两机构的层级和所在地相符"),
            Column("disease_chapter", "疾病分类(ICD-10章)", "disease group (ICD-10 chapter)", CHOICE,
                   choices=tuple((roman, roman, roman) for roman in _ROMAN),
                   note="ICD-10 章号，罗马数字 I–XXII（也可填 1–22）"),
            Column("green_channel", "绿色通道", "green channel", FLAG, note="是 或 否"),
            Column("status", "转诊状态", "status", CHOICE,
                   choices=(("completed", "已完成", "completed"), ("pending", "待接收", "pending"),
                            ("cancelled", "已取消", "cancelled")),
                   note="已完成/待接收/已取消"),
        ),
        key=None,
        event_scope=("from_facility", "month"),
        month_from="referral_date",
    ),
    Table(
        "alliance_activity", "医联体帮扶活动", "alliance activity",
        (
            Column("alliance_code", "医联体代码", "alliance code", CODE, ref=ALLIANCE, note="见「医联体代码」表"),
            _facility(zh="受援机构代码", en="receiving facility code"),
            _month(),
            _count("doctors_sent", "下派医师人次", "doctors sent", limit=_STAFF),
            _count("nurses_sent", "下派护士人次", "nurses sent", limit=_STAFF),
            _count("pharmacists_sent", "下派药师人次", "pharmacists sent", limit=_STAFF),
            _count("technicians_sent", "下派技师人次", "technicians sent", limit=_STAFF),
            _count("posted_physicians", "派驻医师数(月末)", "posted physicians (month end)",
                   "中级及以上职称、派驻6个月以上的医师，月末在岗人数",
                   limit=_STAFF),
            _count("expert_clinic_sessions", "专家坐诊次数", "expert clinic sessions", limit=_STAFF),
            _count("teaching_rounds", "带教查房次数", "teaching ward rounds", limit=_STAFF),
            _count("lectures", "讲座培训次数", "lectures and trainings", limit=_STAFF),
            _count("surgery_demos", "手术示教台次", "surgery demonstrations", limit=_STAFF),
            _count("trainees_sent_up", "上派进修人数", "staff trained upward", limit=_STAFF),
            _count("new_techniques", "新技术新项目数", "new techniques introduced", limit=_STAFF),
        ),
        key=("alliance_code", "facility_code", "month"),
    ),
    Table(
        "shared_service", "远程共享服务", "shared services",
        (
            Column("alliance_code", "医联体代码", "alliance code", CODE, ref=ALLIANCE, note="见「医联体代码」表"),
            _facility(),
            _month(),
            Column("service", "服务类别", "service", CHOICE,
                   choices=(("imaging", "影像", "imaging"), ("ecg", "心电", "ECG"),
                            ("pathology", "病理", "pathology"), ("lab", "检验", "lab")),
                   note="影像/心电/病理/检验"),
            _count("remote_cases", "远程服务例数", "remote cases", limit=_CASES),
            _count("cases_reviewed", "复核例数", "cases reviewed", limit=_CASES),
            _count("concordant", "诊断符合例数", "concordant diagnoses", "不大于复核例数", limit=_CASES),
            _count("films_graded", "评级片数", "films graded", limit=_CASES),
            _count("grade_a_films", "甲级片数", "grade-A films", "不大于评级片数", limit=_CASES),
        ),
        key=("alliance_code", "facility_code", "month", "service"),
        ratios=(("concordant", "cases_reviewed"), ("grade_a_films", "films_graded")),
    ),
    Table(
        "public_health", "公共卫生", "public health",
        (
            Column("town_code", "乡镇/街道代码", "town code", CODE, ref=TOWN, note="见「区划代码」表中的乡镇/街道"),
            _month(),
            Column("indicator_code", "指标代码", "indicator code", CODE, ref=INDICATOR, note="见「指标代码」表"),
            _amount("numerator", "分子(或数量)", "numerator (or count)", "非负数；计数类指标填数量", limit=_PEOPLE),
            Column("denominator", "分母", "denominator", AMOUNT, required=False,
                   note="率类指标必填且不小于分子；计数类指标留空", limit=_PEOPLE),
        ),
        key=("town_code", "month", "indicator_code"),
        ratios=(("numerator", "denominator"),),
    ),
    Table(
        "staff_income", "人员收入年报", "staff income (yearly)",
        (
            Column("county_code", "区县代码", "county code", CODE, ref=COUNTY, note="见「区划代码」表中的区县"),
            Column("month", "报告月份", "month reported", MONTH,
                   note="年报：填统计年度的12月，如 2024-12；同一年度以最后一次填报的月份为准"),
            _amount("primary_avg_income", "基层医疗卫生机构人员平均收入(元/人·年)",
                    "average income of primary-care staff (yuan per person-year)",
                    "非负数，单位：元/人·年；县域内乡镇卫生院、社区卫生服务机构在岗职工年平均收入", limit=_INCOME),
            _amount("lead_avg_income", "牵头医院人员平均收入(元/人·年)",
                    "average income of the lead hospital's staff (yuan per person-year)",
                    "非负数，单位：元/人·年；医共体牵头医院在岗职工年平均收入", limit=_INCOME),
        ),
        key=("county_code", "month"),
    ),
    Table(
        "poverty_monitoring", "防止因病返贫监测", "poverty-relapse monitoring",
        (
            _town(),
            _month(),
            _count("monitored_households", "脱贫户及监测户数(月末)", "monitored households (month end)",
                   "脱贫户与防止返贫监测户合计，月末户数", limit=_TOWN_PEOPLE),
            _count("monitored_people", "脱贫人口及监测对象人数(月末)", "monitored people (month end)",
                   "脱贫人口与防止返贫监测对象合计，月末人数", limit=_TOWN_PEOPLE),
            _count("contracted_people", "其中：家庭医生签约人数", "of whom under a family-doctor contract",
                   "不大于脱贫人口及监测对象人数", limit=_TOWN_PEOPLE),
            _count("households_exited", "本月脱贫(消除风险)户数", "households out of poverty this month",
                   limit=_TOWN_PEOPLE),
            _count("people_exited", "本月脱贫(消除风险)人数", "people out of poverty this month", limit=_TOWN_PEOPLE),
            _amount("inpatient_spending", "住院医疗总费用(元)", "inpatient spending (yuan)",
                    "非负数，单位：元；监测人口本月出院结算的住院总费用"),
            _amount("out_of_pocket", "其中：个人自付(元)", "of which paid out of pocket (yuan)",
                    "非负数，单位：元；不大于住院医疗总费用"),
            _count("village_clinics", "村卫生室数(月末)", "village clinics (month end)", limit=_STAFF),
            _count("village_clinics_standard", "其中：标准化达标村卫生室数", "of which up to the standard",
                   "不大于村卫生室数", limit=_STAFF),
        ),
        key=("town_code", "month"),
        ratios=(("contracted_people", "monitored_people"), ("out_of_pocket", "inpatient_spending"),
                ("village_clinics_standard", "village_clinics")),
    ),
    Table(
        "serious_illness", "大病专项救治", "serious-illness treatment",
        (
            _town(),
            _month(),
            Column("disease", "病种", "disease", CHOICE, choices=SERIOUS_ILLNESSES,
                   note="大病专项救治病种，从下拉列表选择，如 肺癌、乳腺癌、宫颈癌、儿童白血病、尘肺病"),
            _count("cases", "本年累计应救治人数(月末)", "cases this year (month end)",
                   "本年1月至本月累计确诊应救治人数", limit=_TOWN_PEOPLE),
            _count("treated", "其中：已救治人数", "of whom treated", "不大于应救治人数", limit=_TOWN_PEOPLE),
        ),
        key=("town_code", "month", "disease"),
        ratios=(("treated", "cases"),),
    ),
    Table(
        "elderly_care", "医养结合", "elderly care (医养结合)",
        (
            _town(),
            _month(),
            Column("setting", "机构类型", "setting", CHOICE,
                   choices=(("health_centre", "乡镇卫生院", "township health centre"),
                            ("nursing_home", "敬老院/养老机构", "nursing home")),
                   note="乡镇卫生院 或 敬老院/养老机构（卫生院签约服务的）"),
            _count("beds", "医养结合床位数(月末)", "elderly-care beds (month end)", limit=_STAFF),
            _count("residents", "在住老人数(月末)", "residents (month end)", "不大于床位数", limit=_STAFF),
            _count("admissions", "本月新入住人数", "admissions this month", limit=_STAFF),
        ),
        key=("town_code", "month", "setting"),
        ratios=(("residents", "beds"),),
    ),
    Table(
        "workforce_register", "执业注册人员", "registered staff",
        (
            _facility(),
            Column("month", "月份", "month", MONTH, note="如 2024-06；执业注册系统导出时的月份，填月末在册人数"),
            _count("physicians", "执业（助理）医师数", "physicians (incl. assistant)",
                   "非负整数；执业医师电子注册中执业机构为本机构的执业医师和执业助理医师", limit=_STAFF),
            _count("nurses", "注册护士数", "registered nurses", "非负整数；护士电子注册中执业机构为本机构的护士",
                   limit=_STAFF),
            _count("technicians", "医技人员数(影像、检验)", "technicians (imaging, lab)",
                   "非负整数；在岗影像、检验技术人员", limit=_STAFF),
            _count("village_doctors", "在岗乡村医生数", "village doctors in post", "非负整数；村卫生室填写，其他机构填 0",
                   limit=_STAFF),
            _count("village_doctors_licensed", "其中：持有效执业注册的乡村医生数", "of whom licensed",
                   "非负整数，不大于在岗乡村医生数；乡村医生执业注册有效或持执业（助理）医师资格", limit=_STAFF),
        ),
        key=("facility_code", "month"),
        ratios=(("village_doctors_licensed", "village_doctors"),),
    ),
    Table(
        "pathogen_test", "病原鉴定网络", "pathogen identification",
        (
            Column("alliance_code", "网络代码", "network code", CODE, ref=ALLIANCE,
                   note="见「医联体代码」表中的病原微生物鉴定网络"),
            _facility(zh="送检机构代码", en="sending institution code"),
            _month(),
            _count("cases_sent", "送检例数", "cases sent", limit=_CASES),
            _count("cases_identified", "鉴定完成例数", "cases identified", "不大于送检例数", limit=_CASES),
            _amount("turnaround_hours", "鉴定累计用时(小时)", "total turnaround (hours)",
                    "非负数，单位：小时；本月完成鉴定的各例从收样到出报告的小时数之和", limit=_CASES * 24 * 30),
        ),
        key=("alliance_code", "facility_code", "month"),
        ratios=(("cases_identified", "cases_sent"),),
    ),
)
TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}

# Sheets of the template that list valid codes (skipped when a filled template is loaded).
CODE_SHEETS = {"instructions": "填写说明", "regions": "区划代码", "facilities": "机构代码",
               "alliances": "医联体代码", "members": "医联体成员", "indicators": "指标代码"}

# Yes/no spellings accepted in FLAG columns (compared lower-case).
FLAG_VALUES: dict[str, bool] = {
    "是": True, "否": False, "1": True, "0": False, "true": True, "false": False, "y": True, "n": False,
    "yes": True, "no": False, "√": True, "×": False, "有": True, "无": False,
}

_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile(INVISIBLE)


def normalise_header(text: object) -> str:
    """How headers are compared: full-width characters as half-width (NFKC), no spaces, invisible
    characters or required-marks, lower case."""
    value = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    return _SPACE.sub("", _INVISIBLE.sub("", value)).rstrip("*").lower()


@cache
def header_index(table_name: str) -> dict[str, str]:
    """normalised header -> schema column: the Chinese header, the schema name and the English label."""
    table = TABLES_BY_NAME[table_name]
    index: dict[str, str] = {}
    for column in table.columns:
        for spelling in (column.zh, column.name, column.en):
            index[normalise_header(spelling)] = column.name
    return index


@cache
def sheet_index() -> dict[str, str]:
    """normalised sheet or file name -> table: the Chinese sheet name, the schema name, the English label."""
    index: dict[str, str] = {}
    for table in TABLES:
        for spelling in (table.zh, table.name, table.en):
            index[normalise_header(spelling)] = table.name
    return index


def choice_lookup(column: Column) -> dict[str, str]:
    """Every accepted spelling (lower case) -> code, for a CHOICE column."""
    lookup: dict[str, str] = {}
    for code, zh, en in column.choices:
        for spelling in (code, zh, en):
            lookup[spelling.lower()] = code
    if column.name == "disease_chapter":
        lookup.update({str(number): roman for number, roman in enumerate(_ROMAN, start=1)})
    return lookup
