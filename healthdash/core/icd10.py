"""ICD-10 chapters: the disease groups referrals are recorded by (Roman numeral -> name).

The Chinese names follow the national ICD-10 edition (疾病分类与代码); the longest titles are shortened the
way statistical yearbooks' summary tables print them (XIX 损伤和中毒), so that they fit a chart label.
One mapping for every page that shows disease groups.
"""

from __future__ import annotations

from typing import NamedTuple


class Chapter(NamedTuple):
    zh: str
    en: str


CHAPTERS: dict[str, Chapter] = {
    "I": Chapter("某些传染病和寄生虫病", "Infectious and parasitic diseases"),
    "II": Chapter("肿瘤", "Neoplasms"),
    "III": Chapter("血液及造血器官疾病和免疫疾患", "Blood and immune disorders"),
    "IV": Chapter("内分泌、营养和代谢疾病", "Endocrine, nutritional and metabolic diseases"),
    "V": Chapter("精神和行为障碍", "Mental and behavioural disorders"),
    "VI": Chapter("神经系统疾病", "Diseases of the nervous system"),
    "VII": Chapter("眼和附器疾病", "Diseases of the eye and adnexa"),
    "VIII": Chapter("耳和乳突疾病", "Diseases of the ear and mastoid"),
    "IX": Chapter("循环系统疾病", "Diseases of the circulatory system"),
    "X": Chapter("呼吸系统疾病", "Diseases of the respiratory system"),
    "XI": Chapter("消化系统疾病", "Diseases of the digestive system"),
    "XII": Chapter("皮肤和皮下组织疾病", "Diseases of the skin"),
    "XIII": Chapter("肌肉骨骼系统和结缔组织疾病", "Musculoskeletal and connective tissue diseases"),
    "XIV": Chapter("泌尿生殖系统疾病", "Diseases of the genitourinary system"),
    "XV": Chapter("妊娠、分娩和产褥期", "Pregnancy, childbirth and the puerperium"),
    "XVI": Chapter("起源于围生期的某些情况", "Conditions of the perinatal period"),
    "XVII": Chapter("先天性畸形和染色体异常", "Congenital malformations"),
    "XVIII": Chapter("症状、体征和异常所见", "Symptoms, signs and abnormal findings"),
    "XIX": Chapter("损伤和中毒", "Injury, poisoning and external causes"),
    "XX": Chapter("疾病和死亡的外因", "External causes of morbidity"),
    "XXI": Chapter("影响健康状态的因素", "Factors influencing health status"),
    "XXII": Chapter("用于特殊目的的编码", "Codes for special purposes"),
}


def chapter_name(code: str, lang: str = "zh") -> str:
    """The chapter's name ('IX' -> '循环系统疾病'); an unknown code is shown as it is, never hidden."""
    chapter = CHAPTERS.get(code)
    if chapter is None:
        return code
    return chapter.en if lang == "en" else chapter.zh
