"""The OC4IDS mapping (projects/oc4ids.py) on hand-built key projects, the key project's stage
(the rule its status comes from), the as-of rule of the progress it publishes, the private
fields, and the cost of the stream: queries per chunk and memory."""

from __future__ import annotations

import datetime
import json
import tracemalloc
from decimal import Decimal

import pytest
from django.core import checks
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import oc4ids
from projects.choices import KeyProjectNatureChoices as Nature, KeyProjectStageChoices as Stage
from projects.models import AnnualListing, KeyProject, Milestone, ProgressReport, ProgressReview

from .helpers import approved_report

D = datetime.date
AS_OF = D(2023, 6, 30)


def one(record: KeyProject, as_of: datetime.date = AS_OF, known_on=None, public=False) -> dict:
    [data] = oc4ids.projects(oc4ids.key_projects(None, as_of).filter(pk=record.pk), as_of, known_on, public)
    return data


def milestone(project, kind) -> Milestone:
    return project.milestones.get(kind=kind)


@pytest.fixture
def staged(make_key_project):
    """A project approved on 03-01, started 04-01, completed 05-02, in production 06-01 (2023)."""
    project = make_key_project(started_on=D(2023, 4, 1), completed_on=D(2023, 5, 2))
    Milestone.objects.filter(project=project, kind="approval").update(done_on=D(2023, 3, 1))
    Milestone.objects.filter(project=project, kind="production").update(done_on=D(2023, 6, 1))
    return project


# --- the stage: one rule, for one record and in a query ------------------------------------


@pytest.mark.parametrize(
    ("as_of", "stage", "status"),
    [
        (D(2023, 2, 28), Stage.IDENTIFIED, "identification"),
        (D(2023, 3, 1), Stage.APPROVED, "preparation"),
        (D(2023, 3, 31), Stage.APPROVED, "preparation"),
        (D(2023, 4, 1), Stage.STARTED, "implementation"),
        (D(2023, 5, 1), Stage.STARTED, "implementation"),
        (D(2023, 5, 2), Stage.COMPLETED, "completion"),
        (D(2023, 5, 31), Stage.COMPLETED, "completion"),
        (D(2023, 6, 1), Stage.IN_PRODUCTION, "maintenance"),
    ],
)
def test_stage_and_status_at_each_boundary(staged, as_of, stage, status):
    annotated = KeyProject.objects.with_stage(as_of).get(pk=staged.pk)
    assert annotated.stage_as_of == stage
    assert KeyProject.objects.get(pk=staged.pk).stage_on(as_of) == stage
    assert one(staged, as_of)["status"] == status


def test_stage_without_any_date_is_identified(make_key_project):
    project = make_key_project()
    assert project.stage_on(AS_OF) == Stage.IDENTIFIED
    assert KeyProject.objects.with_stage(AS_OF).get(pk=project.pk).stage_as_of == Stage.IDENTIFIED


# --- the mapping ---------------------------------------------------------------------------


def test_every_field_of_a_project(staged, make_listing, settings):
    settings.OC4IDS_ID_PREFIX = "abc123"
    KeyProject.objects.filter(pk=staged.pk).update(
        project_code="2301-410425-04-01-123456",
        content="建设厂房",
        planned_completion_on=D(2024, 12, 31),
        leader="张三",
        nature=Nature.RENOVATION,
    )
    make_listing(project=staged, year=2023, planned_investment=Decimal("12000.50"), listed_on=D(2023, 2, 10))
    Milestone.objects.filter(project=staged, kind="land").update(planned_on=D(2023, 3, 15))
    Milestone.objects.filter(project=staged, kind="main_structure").update(planned_on=D(2023, 9, 1))
    staged.refresh_from_db()
    data = one(staged)

    assert data["id"] == "oc4ids-abc123-2301-410425-04-01-123456"
    assert data["identifiers"] == [{"id": "2301-410425-04-01-123456", "scheme": "CN-投资项目统一代码"}]
    assert (data["title"], data["description"]) == (staged.name, "建设厂房")
    assert data["type"] == "rehabilitation"
    assert data["budget"]["amount"] == {"amount": 500000000, "currency": "CNY"}
    [breakdown] = data["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]
    assert breakdown["amount"] == {"amount": 120005000, "currency": "CNY"}
    assert breakdown["approvalDate"] == "2023-02-10T00:00:00+08:00"
    assert breakdown["period"] == {"startDate": "2023-01-01T00:00:00+08:00", "endDate": "2023-12-31T00:00:00+08:00"}
    assert data["period"] == {"startDate": "2023-04-01T00:00:00+08:00", "endDate": "2024-12-31T00:00:00+08:00"}
    assert data["completion"] == {"endDate": "2023-05-02T00:00:00+08:00"}
    milestones = {m["code"] if "code" in m else m["title"]: m for m in data["milestones"]}
    assert milestones["projectApproval"] == {
        "id": str(milestone(staged, "approval").pk),
        "title": "立项审批",
        "type": "approval",
        "code": "projectApproval",
        "dateMet": "2023-03-01T00:00:00+08:00",
        "status": "met",
    }
    land = next(m for m in data["milestones"] if m["id"] == str(milestone(staged, "land").pk))
    assert (land["type"], land["status"], land["dueDate"]) == ("approval", "notMet", "2023-03-15T00:00:00+08:00")
    structure = next(m for m in data["milestones"] if m["id"] == str(milestone(staged, "main_structure").pk))
    assert (structure["type"], structure["status"]) == ("delivery", "scheduled")
    # The standard milestones left blank say nothing.
    assert len(data["milestones"]) == 4
    authority = f"department-{staged.department.code}"
    assert data["publicAuthority"] == {"id": authority, "name": staged.department.name}
    assert data["parties"] == [
        {
            "id": authority,
            "name": staged.department.name,
            "roles": ["publicAuthority"],
            "people": [{"id": "leader", "name": "张三", "jobTitle": "县级分包领导"}],
        },
        {"id": "owner", "name": staged.owner, "roles": ["funder"]},
    ]
    assert data["locations"] == [
        {
            "id": "1",
            "description": staged.area.name,
            "address": {"locality": staged.area.name, "region": "河南省平顶山市郏县", "countryName": "中国"},
        }
    ]
    assert "relatedProjects" not in data and "metrics" not in data
    assert data["updated"].endswith("+08:00")


@pytest.mark.parametrize(("nature", "type_"), [(n, oc4ids.TYPE[n]) for n in Nature])
def test_type_of_each_nature(make_key_project, nature, type_):
    assert one(make_key_project(nature=nature))["type"] == type_
    assert type_ in {"construction", "expansion", "rehabilitation"}


def test_a_project_without_code_is_published_by_its_local_id(make_key_project):
    project = make_key_project()
    data = one(project)
    assert data["id"] == f"oc4ids-jxdrc0-{project.pk}"
    assert "identifiers" not in data
    assert oc4ids.local_key(data["id"]) == {"pk": project.pk}


def test_a_predecessor_is_a_related_project(make_key_project):
    first = make_key_project(project_code="2301-410425-04-01-000001")
    second = make_key_project(nature=Nature.SECOND_PHASE, predecessor=first)
    assert one(second)["relatedProjects"] == [
        {
            "id": "predecessor",
            "scheme": "oc4ids",
            "identifier": "oc4ids-jxdrc0-2301-410425-04-01-000001",
            "relationship": "construction",
            "title": first.name,
        }
    ]


def test_a_bond_reserve_of_the_same_code_is_its_bond_finance(make_key_project, make_bond_reserve):
    code = "2301-410425-04-01-000002"
    project = make_key_project(project_code=code)
    reserve = make_bond_reserve(project_code=code, bond_demand=Decimal("8000.00"))
    [finance] = one(project)["budget"]["finance"]
    assert finance["type"] == "bond" and finance["assetClass"] == ["debt"]
    assert finance["value"] == {"amount": 80000000, "currency": "CNY"}
    # Once issued, the issued amount.
    type(reserve).objects.filter(pk=reserve.pk).update(
        submitted_on=D(2023, 4, 1), approved_on=D(2023, 5, 1), issued_on=D(2023, 6, 1), issued_amount=Decimal("7000")
    )
    [finance] = one(project)["budget"]["finance"]
    assert finance["value"] == {"amount": 70000000, "currency": "CNY"}
    # As of a day before it was issued, still the demand; before it was reserved, none.
    assert one(project, D(2023, 5, 31))["budget"]["finance"][0]["value"]["amount"] == 80000000
    assert "finance" not in one(project, D(2023, 2, 28))["budget"]


# --- the as-of rule of the progress --------------------------------------------------------


def test_only_approved_reports_known_on_k_count(make_key_project):
    project = make_key_project()
    at = timezone.make_aware(datetime.datetime(2023, 5, 10, 9))
    approved_report(project, D(2023, 3, 1), "100.00", at=at)
    approved_report(project, D(2023, 4, 1), "200.00", at=at + datetime.timedelta(days=30))  # approved 06-09
    ProgressReport.objects.create(project=project, month=D(2023, 5, 1), completed_investment=Decimal("300"))
    approved_report(project, D(2023, 7, 1), "400.00", at=at)  # a month not begun on AS_OF

    def observed(**kwargs):
        metrics = one(project, **kwargs).get("metrics", [])
        return {o["id"]: o["value"]["amount"] for m in metrics for o in m["observations"]}

    assert observed() == {"2023-03": 1000000, "2023-04": 2000000}
    assert observed(known_on=D(2023, 6, 8)) == {"2023-03": 1000000}
    assert observed(known_on=D(2023, 5, 9)) == {}
    [metric] = one(project)["metrics"]
    assert metric["id"] == "financialProgress"
    assert metric["observations"][0]["period"] == {
        "startDate": "2023-03-01T00:00:00+08:00",
        "endDate": "2023-03-31T00:00:00+08:00",
    }


def test_a_report_approved_again_counts_what_was_approved_by_k(make_key_project):
    project = make_key_project()
    first = timezone.make_aware(datetime.datetime(2023, 4, 10, 9))
    report = approved_report(project, D(2023, 3, 1), "100.00", at=first)
    later = first + datetime.timedelta(days=20)
    ProgressReport.objects.filter(pk=report.pk).update(approved_at=later, approved_investment=Decimal("150"))
    ProgressReview.objects.create(report=report, action="approved", at=later, amount=Decimal("150"))
    amount = one(project, known_on=D(2023, 4, 15))["metrics"][0]["observations"][0]["value"]["amount"]
    assert amount == 1000000
    assert one(project)["metrics"][0]["observations"][0]["value"]["amount"] == 1500000


def test_listings_after_as_of_are_not_in_the_budget(make_key_project, make_listing):
    project = make_key_project()
    make_listing(project=project, year=2023, listed_on=D(2023, 2, 1))
    AnnualListing.objects.create(project=project, year=2024, planned_investment=Decimal("1"), listed_on=D(2023, 6, 1))
    years = [b["id"] for b in one(project, D(2023, 5, 31))["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]]
    assert years == ["2023"]


# --- private fields and the settings -------------------------------------------------------


def test_the_public_feed_leaves_out_the_private_fields(make_key_project, settings):
    project = make_key_project(leader="李四")
    assert one(project)["parties"][0]["people"] == [{"id": "leader", "name": "李四", "jobTitle": "县级分包领导"}]
    assert one(project, public=True)["parties"][0]["people"] == [{"id": "leader", "jobTitle": "县级分包领导"}]
    settings.OC4IDS_PRIVATE_FIELDS = ["parties/people", "locations"]
    public = one(project, public=True)
    assert "people" not in public["parties"][0] and "locations" not in public


@pytest.mark.parametrize("prefix", ["abc12", "ABC123", "abc-12", "abc1234", "", 123456])
def test_a_bad_prefix_is_a_system_error(settings, prefix):
    settings.OC4IDS_ID_PREFIX = prefix
    [error] = oc4ids.prefix_is_valid(None)
    assert error.id == "projects.E001" and error.level == checks.ERROR


def test_the_default_prefix_is_valid():
    assert oc4ids.prefix_is_valid(None) == []


# --- the stream ----------------------------------------------------------------------------


def _package(year=2023, as_of=AS_OF, chunk_size=oc4ids.CHUNK_SIZE) -> bytes:
    records = oc4ids.projects(oc4ids.key_projects(year, as_of), as_of, None, chunk_size=chunk_size)
    return b"".join(oc4ids.package_chunks("https://example.org/api/oc4ids/?year=2023", records))


def _listed(make_key_project, make_listing, count: int, code_from: int = 0):
    for number in range(count):
        project = make_key_project(project_code=f"2301-410425-04-01-{code_from + number:06d}", leader="王五")
        make_listing(project=project, year=2023, listed_on=D(2023, 2, 1))
        approved_report(project, D(2023, 3, 1), "10.00")


def test_the_package_is_json_of_the_listed_projects(make_key_project, make_listing):
    _listed(make_key_project, make_listing, 3)
    make_key_project()  # not listed
    package = json.loads(_package())
    assert package["version"] == "0.9" and package["publisher"] == {"name": "郏县发展和改革委员会"}
    assert len(package["projects"]) == 3
    assert json.loads(_package(chunk_size=2)) == {**package, "publishedDate": json.loads(_package())["publishedDate"]}


@pytest.mark.parametrize("chunk_size", [oc4ids.CHUNK_SIZE, 2])
def test_queries_are_fixed_per_chunk(make_key_project, make_listing, chunk_size):
    """Five a chunk, whatever a chunk holds: three projects and five cost the same within a
    chunk of 500; with chunks of two, three projects are two chunks, four are two and an empty
    read."""
    _listed(make_key_project, make_listing, 3)
    with CaptureQueriesContext(connection) as three:
        _package(chunk_size=chunk_size)
    _listed(make_key_project, make_listing, 2, code_from=100)
    with CaptureQueriesContext(connection) as five:
        _package(chunk_size=chunk_size)
    if chunk_size == 2:
        assert (len(three), len(five)) == (10, 15)
    else:
        assert len(three) == len(five) == 5


def test_memory_stays_bounded_at_ten_thousand_projects(key_industry, area, department):
    count = 10_000
    KeyProject.objects.bulk_create(
        KeyProject(
            name=f"大项目{number}",
            owner="项目单位",
            industry=key_industry,
            area=area,
            department=department,
            total_investment=Decimal("1000.00"),
            content="建设内容" * 20,
        )
        for number in range(count)
    )
    ids = list(KeyProject.objects.values_list("pk", flat=True))
    AnnualListing.objects.bulk_create(
        AnnualListing(project_id=pk, year=2023, category="new_start", planned_investment=1, listed_on=D(2023, 2, 1))
        for pk in ids
    )
    size = 0
    tracemalloc.start()
    try:
        records = oc4ids.projects(oc4ids.key_projects(2023, AS_OF), AS_OF, None)
        for piece in oc4ids.package_chunks("https://example.org/", records):
            size += len(piece)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        # What holding them would take: a tenth of them held at once, times ten.
        first = min(ids)
        tenth = list(oc4ids.projects(oc4ids.key_projects(2023, AS_OF).filter(pk__lt=first + count // 10), AS_OF, None))
        held = 10 * tracemalloc.get_traced_memory()[0]
        del tenth
    finally:
        tracemalloc.stop()
    assert size > 5_000_000
    assert peak < held / 5, (peak, held, size)


def test_money_is_whole_yuan_as_a_number():
    assert oc4ids.money(Decimal("0.01")) == {"amount": 100, "currency": "CNY"}
    assert isinstance(oc4ids.money(Decimal("12345678.99"))["amount"], int)
    with pytest.raises(ValueError):
        oc4ids.money(Decimal("0.00001"))
