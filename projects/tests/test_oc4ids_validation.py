"""The OC4IDS package of the demo data passes libcoveoc4ids, offline against the copy of the
standard in ``oc4ids/0.9.5`` (``oc4ids_check``); a package broken on purpose fails it, so that
the check can fail."""

from __future__ import annotations

import copy
import datetime
import json

import pytest

from projects import oc4ids
from projects.models import BondReserve, KeyProject

from .oc4ids_check import problems

AS_OF = datetime.date(2023, 6, 30)
CLEAN = {
    "validation_errors": [],
    "conformance_errors": [],
    "closed_codelist_values": [],
    "additional_checks": [],
    "additional_fields": [],
}


def demo_package(year: int = 2023, as_of: datetime.date = AS_OF, public: bool = False) -> dict:
    records = oc4ids.projects(oc4ids.key_projects(year, as_of), as_of, None, public=public)
    uri = f"https://invest.example.gov.cn/api/oc4ids/?year={year}&as_of={as_of}"
    return json.loads(b"".join(oc4ids.package_chunks(uri, records)))


@pytest.fixture
def package(demo_data, today) -> dict:
    # The demo's reserves and key projects share no code: one reserve made the bonds of one
    # project, so that the package has a finance to validate too.
    project = KeyProject.objects.listed_for(2023, AS_OF).filter(project_code__isnull=False).first()
    reserve = BondReserve.objects.in_pool(AS_OF).first()
    BondReserve.objects.filter(pk=reserve.pk).update(project_code=project.project_code)
    data = demo_package()
    assert len(data["projects"]) == KeyProject.objects.listed_for(2023, AS_OF).count() > 5
    return data


def test_the_demo_package_is_valid(package, oc4ids_standard):
    assert problems(package, oc4ids_standard) == CLEAN


def test_the_demo_package_uses_the_fields_it_maps(package):
    """Enough of the mapping is in the demo to mean something when it validates."""
    paths = json.dumps(package)
    for key in ("identifiers", "budgetBreakdowns", "finance", "milestones", "metrics", "relatedProjects", "people"):
        assert f'"{key}"' in paths, key
    assert {project["status"] for project in package["projects"]} >= {"preparation", "implementation", "completion"}


def test_the_public_demo_package_is_valid(demo_data, today, oc4ids_standard):
    assert problems(demo_package(public=True), oc4ids_standard) == CLEAN


def test_a_broken_package_is_caught(package, oc4ids_standard):
    broken = copy.deepcopy(package)
    project = broken["projects"][0]
    project["budget"]["amount"]["amount"] = str(project["budget"]["amount"]["amount"])
    project["period"]["startDate"] = "2023-03-01"
    project["id"] = "1234"
    project["status"] = "underway"
    found = problems(broken, oc4ids_standard)
    paths = {value["path"] for _error, values in found["validation_errors"] for value in values}
    assert "projects/0/budget/amount/amount" in paths
    assert "projects/0/period/startDate" in paths
    assert [c["check_id"] for c in found["conformance_errors"]] == ["invalid-project-ids"]
    assert [values["values"] for _path, values in found["closed_codelist_values"]] == [["underway"]]
