"""data/report_datasets.csv names each dataset's reporting unit; every measure and rule has a name in both
languages. (Where the engine sits among the layers: tests/test_architecture.py.)"""

from __future__ import annotations

from healthdash.data.quality import schema


def test_every_declared_dataset_names_its_reporting_unit_right() -> None:
    declared = schema.report_datasets().set_index("dataset")
    assert declared.loc["public_health", "unit"] == "town"
    assert declared.loc["alliance_activity", "unit"] == "alliance_member"
    assert "referral" not in declared.index, "a facility that referred nobody sends no rows"


def test_every_declared_measure_and_rule_key_has_a_name_in_both_languages() -> None:
    from healthdash.data.quality.names import measure_label

    measures = schema.quality_measures()
    for dataset, measure in measures[["dataset", "measure"]].itertuples(index=False):
        for lang in ("zh", "en"):
            assert measure_label(dataset, measure, lang) != measure, (dataset, measure, lang)
    assert measure_label("shared_service", "imaging_remote_cases") == "影像远程服务例数"
    assert measure_label("shared_service", "imaging_remote_cases", "en") == "imaging remote cases"
    assert measure_label("public_health", "hpv_first_doses") == "HPV疫苗首剂接种人数"
    assert measure_label("resident_care", "outpatient") == "门诊"
    assert measure_label("service_volume", "") == "门急诊与住院服务量"
