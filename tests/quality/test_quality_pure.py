"""The quality engine runs without Streamlit (pages pass it db.run_query), not even through a module it
imports; data/report_datasets.csv names each dataset's reporting unit."""

from __future__ import annotations

from healthdash.quality import schema
from tests.test_architecture import PACKAGE, graph, module_name, streamlit_importers

QUALITY = {module_name(path) for path in (PACKAGE / "quality").rglob("*.py")}


def test_no_quality_module_reaches_streamlit() -> None:
    edges, screen = graph(), streamlit_importers()
    assert "healthdash.quality.rules" in QUALITY and "healthdash.i18n" in screen, "the checks see the modules"
    for module in sorted(QUALITY):
        seen, todo = set(), [module]
        while todo:
            current = todo.pop()
            assert current not in screen, f"{module} reaches Streamlit through {current}"
            seen.add(current)
            todo.extend(edges.get(current, set()) - seen)


def test_every_declared_dataset_names_its_reporting_unit_right() -> None:
    declared = schema.report_datasets().set_index("dataset")
    assert declared.loc["public_health", "unit"] == "town"
    assert declared.loc["alliance_activity", "unit"] == "alliance_member"
    assert "referral" not in declared.index, "a facility that referred nobody sends no rows"
