"""The department rule (``projects.access``) and the groups the data migrations make."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission, User

from investment.models import AttractionProject
from projects import access
from projects.models import BondReserve, Industry, KeyProject, Milestone

from .conftest import PERSONAS, may_write

pytestmark = pytest.mark.django_db

PROJECTS_MIGRATION = importlib.import_module("projects.migrations.0005_department_groups")
INVESTMENT_MIGRATION = importlib.import_module("investment.migrations.0005_department_groups")

PROJECT_REFERENCE = ("industry", "area", "department", "sector", "yearplan")
PROJECT_LEDGERS = ("keyproject", "annuallisting", "milestone", "progressreport", "problem", "bondreserve")
CHAIN_LEDGERS = (
    "industrialchain",
    "chainlink",
    "targetenterprise",
    "localenterprise",
    "carrier",
    "policy",
    "responsibility",
)
# The year plan's indicators and their monthly values (issue 20): their units report them.
INDICATORS = ("planindicator", "indicatorvalue")
EVERY_MODEL = (*PROJECT_REFERENCE, *PROJECT_LEDGERS, *INDICATORS, "attractionproject", *CHAIN_LEDGERS)
CRUD = ("view", "add", "change", "delete")

# Exactly what each group holds after migrate, written out again here (not read from the
# migrations) so that a change to either shows.
# Supervision orders (issue 17): leaders and bureau staff issue them and decide on the replies;
# department staff read them and reply. Monthly reports' review: bureau staff approve and return.
# Dispatch meetings and their decisions: bureau staff keep them, everyone else reads them.
# The rankings' weights (issue 18): bureau staff change them, everyone else reads them.
# The filed monthly circulars (issue 18): everyone reads them, bureau staff file them.
ORDERS = ("supervisionorder", "orderreply")
MEETINGS = ("dispatchmeeting", "meetingdecision")
EXPECTED_GROUPS = {
    "县领导": {f"view_{model}" for model in EVERY_MODEL}
    | {"view_filing"}
    | {"view_supervisionorder", "add_supervisionorder", "change_supervisionorder", "view_orderreply"}
    | {"decide_orderreply"}
    | {f"view_{model}" for model in MEETINGS}
    | {"view_rankingweight", "view_circularfiling"},
    "招商局、发改委工作人员": {f"{action}_{model}" for model in (*EVERY_MODEL, *ORDERS, *MEETINGS) for action in CRUD}
    | {"edit_all_departments", "view_filing", "export_quarter", "decide_orderreply", "review_progressreport"}
    | {"review_indicatorvalue"}
    | {"view_rankingweight", "change_rankingweight", "view_circularfiling", "file_circular"},
    "部门工作人员": {f"view_{model}" for model in (*EVERY_MODEL, *ORDERS, *MEETINGS)}
    | {
        f"{action}_{model}"
        for model in (*PROJECT_LEDGERS, *INDICATORS, "attractionproject")
        for action in ("add", "change", "delete")
    }
    | {"view_filing", "add_orderreply", "change_orderreply", "view_rankingweight", "view_circularfiling"},
}


# --- the groups -------------------------------------------------------------------------------


def test_migrate_makes_the_three_groups_with_exactly_the_intended_permissions():
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}
    assert set(EXPECTED_GROUPS) <= set(groups)
    for name, codenames in EXPECTED_GROUPS.items():
        assert {p.codename for p in groups[name].permissions.all()} == codenames, name


def test_no_group_but_the_bureau_staff_edits_every_department():
    holders = Group.objects.filter(permissions__codename="edit_all_departments")
    assert [group.name for group in holders] == [access.BUREAU_STAFF_GROUP]


def test_the_two_migrations_and_the_code_name_the_same_groups():
    names = [access.LEADERS_GROUP, access.BUREAU_STAFF_GROUP, access.DEPARTMENT_STAFF_GROUP]
    assert list(PROJECTS_MIGRATION.GROUPS) == names
    assert list(INVESTMENT_MIGRATION.GROUPS) == names


def test_the_custom_permission_is_on_department():
    permission = Permission.objects.get(codename="edit_all_departments")
    assert (permission.content_type.app_label, permission.content_type.model) == ("projects", "department")
    assert permission.name == "Can edit the records of every department"


# --- the rule, record by record ---------------------------------------------------------------


@pytest.fixture
def records(dept_a, dept_b, make_key_project, make_bond_reserve, make_attraction_project):
    """One record per model and owner: A, B, and None where a department may be blank."""
    project_a, project_b = make_key_project(department=dept_a), make_key_project(department=dept_b)
    return {
        ("key project", "A"): project_a,
        ("key project", "B"): project_b,
        ("bond reserve", "A"): make_bond_reserve(department=dept_a),
        ("bond reserve", "B"): make_bond_reserve(department=dept_b),
        ("attraction project", "A"): make_attraction_project(department=dept_a),
        ("attraction project", "B"): make_attraction_project(department=dept_b),
        ("attraction project", None): make_attraction_project(department=None),
        # A milestone belongs to its project's department, not to the one it names.
        ("milestone", "A"): Milestone.objects.filter(project=project_a).first(),
        ("milestone", "B"): Milestone.objects.filter(project=project_b).first(),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_may_edit_follows_the_owning_department_for_each_persona(make_persona, records, persona):
    user = make_persona(persona) or AnonymousUser()
    for (kind, owner), record in records.items():
        assert access.may_edit(user, record) is may_write(persona, owner), (kind, owner)


def test_a_milestone_naming_another_department_still_belongs_to_its_projects(make_persona, records, dept_b):
    clerk = make_persona("clerk of A")
    milestone = records[("milestone", "A")]
    milestone.department = dept_b
    milestone.save()
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert access.owning_department_id(milestone) == milestone.project.department_id
    assert access.may_edit(clerk, milestone)


def test_owning_department_id_answers_for_the_record_as_it_stands_in_memory(records, dept_b):
    project = records[("key project", "A")]
    project.department = dept_b
    assert access.owning_department_id(project) == dept_b.pk
    assert access.owning_department_id(KeyProject()) is None
    assert access.owning_department_id(Milestone()) is None  # no project yet
    assert access.owning_department_id(Industry(code="X", name="x")) is None


def test_may_edit_department_takes_a_department_its_id_or_none(make_persona, dept_a, dept_b):
    clerk, bureau = make_persona("clerk of A"), make_persona("bureau staff")
    assert access.may_edit_department(clerk, dept_a) and access.may_edit_department(clerk, dept_a.pk)
    assert not access.may_edit_department(clerk, dept_b) and not access.may_edit_department(clerk, dept_b.pk)
    assert not access.may_edit_department(clerk, None)
    assert access.may_edit_department(bureau, None) and access.may_edit_department(bureau, dept_b)


def test_reference_data_only_those_who_edit_all_may_edit(make_persona, make_industry):
    industry = make_industry()
    assert not access.may_edit(make_persona("clerk of A"), industry)
    assert access.may_edit(make_persona("bureau staff"), industry)
    assert "可编辑所有部门记录" in access.refusal(make_persona("clerk without department"), industry)


def test_an_inactive_superuser_edits_nothing(records):
    user = User.objects.create_superuser("gone", "gone@example.invalid", "pw", is_active=False)
    assert not access.edits_all_departments(user)
    assert not access.may_edit(user, records[("key project", "A")])


def test_the_refusal_names_the_department(make_persona, records, dept_b):
    reason = access.refusal(make_persona("clerk of A"), records[("bond reserve", "B")])
    assert dept_b.name in reason
    assert access.refusal(make_persona("clerk of A"), records[("bond reserve", "A")]) is None
    assert "责任单位" in access.refusal(make_persona("clerk of A"), records[("attraction project", None)])


@pytest.mark.parametrize("persona", ["clerk of A", "clerk without department", "bureau staff", "anonymous"])
def test_a_user_may_edit_exactly_the_records_their_departments_own(make_persona, records, persona):
    user = make_persona(persona) or AnonymousUser()
    for model in (KeyProject, BondReserve, AttractionProject, Milestone):
        owned = model.objects.filter(**{f"{access.owner_path(model)}__in": access.department_ids(user)})
        expected = model.objects.all() if access.edits_all_departments(user) else owned
        assert {r.pk for r in model.objects.all() if access.may_edit(user, r)} == {r.pk for r in expected}, model
    assert [i for i in Industry.objects.all() if access.may_edit(user, i)] == (
        list(Industry.objects.all()) if persona == "bureau staff" else []
    )


def test_a_users_departments_are_read_once(make_persona, records, django_assert_num_queries):
    clerk = User.objects.get(pk=make_persona("clerk of A").pk)
    access.edits_all_departments(clerk)  # the permission cache, read once as well
    with django_assert_num_queries(1):
        for record in [records[("key project", "A")], records[("key project", "B")], records[("bond reserve", "B")]]:
            access.may_edit(clerk, record)
