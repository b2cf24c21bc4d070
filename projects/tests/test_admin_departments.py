"""The department rule in the admin (issue 7): personas × the changelist, the change form
(editable or read-only), its POST and the delete page, for records of department A, B and
none; a key project's inlines follow its department; saving a record for another department is
an error on its ``department`` field; the monthly entry refuses other departments' rows; the
user and department pages show who belongs where."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investment.models import AttractionProject
from projects.models import BondReserve, Department, KeyProject, Milestone, ProgressReport

from .conftest import PERSONAS, may_write
from .helpers import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

D = Decimal

MODELS = {
    "keyproject": ("projects", KeyProject, ("A", "B")),
    "bondreserve": ("projects", BondReserve, ("A", "B")),
    "attractionproject": ("investment", AttractionProject, ("A", "B", None)),
}
CASES = [(model, owner) for model, (_app, _cls, owners) in MODELS.items() for owner in owners]


@pytest.fixture
def make_record(dept_a, dept_b, make_key_project, make_bond_reserve, make_attraction_project):
    makers = {
        "keyproject": make_key_project,
        "bondreserve": make_bond_reserve,
        "attractionproject": make_attraction_project,
    }
    departments = {"A": dept_a, "B": dept_b, None: None}

    def make(model: str, owner):
        return makers[model](department=departments[owner])

    return make


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:{MODELS[model][0]}_{model}_{view}", args=args)


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def row(record) -> dict:
    return type(record).objects.filter(pk=record.pk).values().get()


# --- the matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model, owner", CASES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_changelist_shows_every_record_to_whoever_may_view(
    client, make_persona, make_record, persona, model, owner
):
    record = make_record(model, owner)
    response = client_for(client, make_persona(persona)).get(url(model, "changelist"))
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    assert response.status_code == 200
    assert record.pk in [obj.pk for obj in response.context["cl"].result_list]


@pytest.mark.parametrize("model, owner", CASES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_change_form_is_editable_exactly_when_the_rule_allows(
    client, make_persona, make_record, persona, model, owner
):
    record = make_record(model, owner)
    response = client_for(client, make_persona(persona)).get(url(model, "change", record.pk))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert response.context["has_change_permission"] is may_write(persona, owner)
    assert response.context["has_delete_permission"] is may_write(persona, owner)
    # Read-only: the fields are shown as text, not as inputs.
    assert ('name="department"' in response.content.decode()) is may_write(persona, owner)


@pytest.mark.parametrize("model, owner", CASES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_posting_the_change_form_saves_exactly_when_the_rule_allows(
    client, admin_client, make_persona, make_record, persona, model, owner
):
    record = make_record(model, owner)
    data = form_data(admin_client.get(url(model, "change", record.pk)))
    data["leader" if model != "bondreserve" else "owner"] = "改过"
    before = row(record)
    response = client_for(client, make_persona(persona)).post(url(model, "change", record.pk), data)
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif may_write(persona, owner):
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        assert row(record)["version"] == before["version"] + 1
        return
    else:
        assert response.status_code == 403
    assert row(record) == before


@pytest.mark.parametrize("model, owner", CASES)
@pytest.mark.parametrize("persona", ["leader", "bureau staff", "clerk of A", "clerk without department"])
def test_deleting_is_allowed_exactly_when_the_rule_allows(client, make_persona, make_record, persona, model, owner):
    record = make_record(model, owner)
    client = client_for(client, make_persona(persona))
    response = client.post(url(model, "delete", record.pk), {"post": "yes"})
    if may_write(persona, owner):
        assert response.status_code == 302
        assert not type(record).objects.filter(pk=record.pk).exists()
    else:
        assert response.status_code == 403
        assert type(record).objects.filter(pk=record.pk).exists()


def test_delete_selected_refuses_when_one_record_belongs_to_another_department(client, make_persona, make_record):
    own, other = make_record("bondreserve", "A"), make_record("bondreserve", "B")
    client = client_for(client, make_persona("clerk of A"))
    data = {"action": "delete_selected", "_selected_action": [own.pk, other.pk]}
    confirmation = client.post(url("bondreserve", "changelist"), data)
    assert confirmation.status_code == 200
    assert str(other) in confirmation.context["perms_lacking"]
    response = client.post(url("bondreserve", "changelist"), {**data, "post": "yes"})
    assert response.status_code == 403
    assert BondReserve.objects.filter(pk__in=[own.pk, other.pk]).count() == 2
    # Their own department's records alone they may delete in bulk.
    data["_selected_action"] = [own.pk]
    assert client.post(url("bondreserve", "changelist"), {**data, "post": "yes"}).status_code == 302
    assert list(BondReserve.objects.all()) == [other]


# --- creating and moving ------------------------------------------------------------------------


def error_on(response, field: str) -> str:
    assert response.status_code == 200, response.status_code
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field], errors
    return errors[field][0]


@pytest.mark.parametrize("model", list(MODELS))
def test_a_clerk_moving_a_record_to_another_department_gets_an_error_on_department_and_nothing_is_written(
    client, admin_client, make_persona, make_record, dept_b, model
):
    record = make_record(model, "A")
    data = form_data(admin_client.get(url(model, "change", record.pk)))
    data["department"] = str(dept_b.pk)
    before = row(record)
    response = client_for(client, make_persona("clerk of A")).post(url(model, "change", record.pk), data)
    assert dept_b.name in error_on(response, "department")
    assert row(record) == before


@pytest.mark.parametrize("model", list(MODELS))
def test_a_clerk_creating_a_record_for_another_department_gets_an_error_on_department_and_nothing_is_written(
    client, admin_client, make_persona, make_record, dept_a, dept_b, model
):
    template = make_record(model, "A")
    data = form_data(admin_client.get(url(model, "change", template.pk)))
    data.pop("seen_version", None)
    data["name"] = "新的记录"
    data.pop("project_code", None)
    count = type(template).objects.count()
    clerk = client_for(client, make_persona("clerk of A"))
    for key in [key for key in data if key.startswith(("listings-", "milestones-", "progress_reports-", "problems-"))]:
        del data[key]
    if model == "keyproject":
        data.update({"listings-TOTAL_FORMS": "0", "listings-INITIAL_FORMS": "0"})

    response = clerk.post(url(model, "add"), {**data, "department": str(dept_b.pk)})
    assert dept_b.name in error_on(response, "department")
    assert type(template).objects.count() == count

    # For their own department it saves.
    response = clerk.post(url(model, "add"), {**data, "department": str(dept_a.pk)})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert type(template).objects.count() == count + 1


def test_a_clerk_cannot_leave_an_attraction_project_without_a_department(
    client, admin_client, make_persona, make_record
):
    record = make_record("attractionproject", "A")
    data = form_data(admin_client.get(url("attractionproject", "change", record.pk)))
    del data["department"]
    before = row(record)
    response = client_for(client, make_persona("clerk of A")).post(url("attractionproject", "change", record.pk), data)
    assert "责任单位" in error_on(response, "department")
    assert row(record) == before


def test_the_bureau_staff_may_create_for_any_department_and_none(client, admin_client, make_persona, make_record):
    template = make_record("attractionproject", "B")
    data = form_data(admin_client.get(url("attractionproject", "change", template.pk)))
    data.pop("seen_version")
    del data["department"]
    data["name"] = "无责任单位的项目"
    response = client_for(client, make_persona("bureau staff")).post(url("attractionproject", "add"), data)
    assert response.status_code == 302
    assert AttractionProject.objects.get(name="无责任单位的项目").department is None


def test_reference_data_cannot_be_added_by_a_clerk_who_holds_the_model_permission(client, make_persona):
    clerk = make_persona("clerk of A")
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["add_industry", "view_industry"]))
    client = client_for(client, clerk)
    assert client.get(reverse("admin:projects_industry_add")).status_code == 403
    assert client.get(reverse("admin:projects_industry_changelist")).status_code == 200


# --- a key project's inlines (the child records) ----------------------------------------------


@pytest.mark.parametrize("owner", ["A", "B"])
def test_a_key_projects_inlines_are_editable_exactly_when_the_project_is(client, make_persona, make_record, owner):
    project = make_record("keyproject", owner)
    response = client_for(client, make_persona("clerk of A")).get(url("keyproject", "change", project.pk))
    inlines = response.context["inline_admin_formsets"]
    assert [inline.opts.model for inline in inlines] == [
        type(project).listings.rel.related_model,
        Milestone,
        ProgressReport,
        type(project).problems.rel.related_model,
    ]
    for inline in inlines:
        assert inline.has_change_permission is (owner == "A")
        assert inline.has_add_permission is (owner == "A")
        assert inline.has_delete_permission is (owner == "A")


def test_a_clerk_edits_a_milestone_of_their_project_through_its_inline_naming_any_department(
    client, admin_client, make_persona, make_record, dept_b
):
    project = make_record("keyproject", "A")
    data = form_data(admin_client.get(url("keyproject", "change", project.pk)))
    milestone = project.milestones.order_by("planned_on", "id").first()
    index = next(i for i in range(8) if data.get(f"milestones-{i}-id") == str(milestone.pk))
    data[f"milestones-{index}-done_on"] = "2023-06-01"
    data[f"milestones-{index}-department"] = str(dept_b.pk)
    response = client_for(client, make_persona("clerk of A")).post(url("keyproject", "change", project.pk), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    milestone.refresh_from_db()
    assert (milestone.done_on, milestone.department) == (datetime.date(2023, 6, 1), dept_b)


# --- query counts -----------------------------------------------------------------------------


def test_a_clerks_changelist_costs_the_same_queries_at_any_size(client, make_persona, make_record):
    client = client_for(client, make_persona("clerk of A"))
    make_record("keyproject", "A")
    client.get(url("keyproject", "changelist"))  # warm up
    # Session, user, the user's permissions and their groups', then the changelist's own: the
    # counts, the page, its listings, the filters' choices. Nothing per row, and nothing about
    # departments: the list shows every record, and whether one is editable is asked on its page.
    with CaptureQueriesContext(connection) as at_1:
        client.get(url("keyproject", "changelist"))
    assert not any("projects_department_members" in query["sql"] for query in at_1.captured_queries)
    for i in range(9):
        make_record("keyproject", "A" if i % 2 else "B")
    with CaptureQueriesContext(connection) as at_10:
        response = client.get(url("keyproject", "changelist"))
    assert len(response.context["cl"].result_list) == 10
    assert len(at_10) == len(at_1), "\n".join(query["sql"] for query in at_10.captured_queries)


# --- the monthly entry ------------------------------------------------------------------------

MONTHLY = reverse("monthly-entry")


@pytest.fixture
def listed(make_record, make_listing):
    """A project of A and one of B listed for 2023, B's with a May report."""
    own, other = make_record("keyproject", "A"), make_record("keyproject", "B")
    for project in (own, other):
        make_listing(project=project, year=2023, planned_investment=D("12000.00"))
    ProgressReport.objects.create(project=other, month=datetime.date(2023, 5, 1), completed_investment=D("500.00"))
    return own, other


def monthly_post(response, values: dict) -> dict:
    data = {"year": 2023, "month": 5, "form-TOTAL_FORMS": len(response.context["rows"])}
    data["form-INITIAL_FORMS"] = data["form-TOTAL_FORMS"]
    for i, (row_, form) in enumerate(response.context["rows"]):
        amount, note = values.get(row_["project"].pk, (form.initial.get("completed_investment"), form.initial["note"]))
        data[f"form-{i}-project"] = row_["project"].pk
        data[f"form-{i}-version"] = form.initial["version"] or ""
        data[f"form-{i}-completed_investment"] = "" if amount is None else str(amount)
        data[f"form-{i}-note"] = note
    return data


def test_the_monthly_entry_opens_on_a_clerks_own_departments(client, make_persona, listed, dept_a):
    own, _other = listed
    response = client_for(client, make_persona("clerk of A")).get(MONTHLY, {"year": 2023, "month": 5})
    assert response.status_code == 200
    assert [(row_["project"].pk, row_["editable"]) for row_, _form in response.context["rows"]] == [(own.pk, True)]
    assert response.context["count"] == 1
    assert response.context["total_planned"] == D("12000.00")  # the selection's: not B's project
    # The department select offers only the clerk's own departments.
    assert list(response.context["selection_form"].fields["department"].queryset) == [dept_a]


def test_a_clerk_cannot_choose_another_department(client, make_persona, listed, dept_b):
    response = client_for(client, make_persona("clerk of A")).get(
        MONTHLY, {"year": 2023, "month": 5, "department": dept_b.pk}
    )
    assert response.status_code == 400
    assert [row_["project"].pk for row_, _form in response.context["rows"]] == [listed[0].pk]


def test_the_bureau_staff_choose_a_department(client, make_persona, listed, dept_a, dept_b):
    bureau = client_for(client, make_persona("bureau staff"))
    every = bureau.get(MONTHLY, {"year": 2023, "month": 5})
    assert len(every.context["rows"]) == 2
    assert every.context["total_planned"] == D("24000.00")
    chosen = bureau.get(MONTHLY, {"year": 2023, "month": 5, "department": dept_b.pk})
    assert chosen.status_code == 200
    assert [row_["project"].pk for row_, _form in chosen.context["rows"]] == [listed[1].pk]
    assert set(chosen.context["selection_form"].fields["department"].queryset) >= {dept_a, dept_b}


def test_the_monthly_entry_saves_a_clerks_own_rows_and_skips_the_others_sent_unchanged(client, make_persona, listed):
    own, other = listed
    clerk = client_for(client, make_persona("clerk of A"))
    page = clerk.get(MONTHLY, {"year": 2023, "month": 5})
    response = clerk.post(MONTHLY, monthly_post(page, {own.pk: ("800.00", "")}))
    assert response.status_code == 302
    assert ProgressReport.objects.get(project=own).completed_investment == D("800.00")
    assert ProgressReport.objects.get(project=other).completed_investment == D("500.00")


@pytest.mark.parametrize("change", [("900.00", ""), (None, "")], ids=["changed", "blanked"])
def test_the_monthly_entry_refuses_a_posted_row_of_another_department_and_saves_nothing(
    client, make_persona, listed, change
):
    """The clerk's page has no row of B's project; one forged into the post is refused."""
    own, other = listed
    clerk = client_for(client, make_persona("clerk of A"))
    page = clerk.get(MONTHLY, {"year": 2023, "month": 5})
    data = monthly_post(page, {own.pk: ("800.00", "")})
    amount, note = change
    data |= {
        "form-TOTAL_FORMS": 2,
        "form-1-project": other.pk,
        "form-1-version": 1,
        "form-1-completed_investment": amount or "",
        "form-1-note": note,
    }
    response = clerk.post(MONTHLY, data)
    assert response.status_code == 400
    assert response.context["errors"]
    assert not ProgressReport.objects.filter(project=own).exists()
    assert ProgressReport.objects.get(project=other).completed_investment == D("500.00")


def test_the_bureau_staff_enter_every_departments_row(client, make_persona, listed):
    own, other = listed
    bureau = client_for(client, make_persona("bureau staff"))
    page = bureau.get(MONTHLY, {"year": 2023, "month": 5})
    response = bureau.post(MONTHLY, monthly_post(page, {own.pk: ("800.00", ""), other.pk: ("900.00", "")}))
    assert response.status_code == 302
    assert ProgressReport.objects.get(project=other).completed_investment == D("900.00")


# --- users and departments ----------------------------------------------------------------------


def test_a_departments_page_edits_its_members(admin_client, dept_a, make_persona):
    clerk = make_persona("clerk without department")
    page = admin_client.get(reverse("admin:projects_department_change", args=[dept_a.pk]))
    assert 'name="members"' in page.content.decode()
    data = form_data(page)
    data["members"] = [str(clerk.pk)]
    response = admin_client.post(reverse("admin:projects_department_change", args=[dept_a.pk]), data)
    assert response.status_code == 302
    assert list(clerk.departments.all()) == [dept_a]


def test_a_users_page_shows_and_edits_their_departments(admin_client, dept_a, dept_b, make_persona):
    clerk = make_persona("clerk of A")
    page = admin_client.get(reverse("admin:auth_user_change", args=[clerk.pk]))
    assert page.status_code == 200
    inline = next(i for i in page.context["inline_admin_formsets"] if i.opts.model is Department.members.through)
    assert [form.instance.department for form in inline.formset.initial_forms] == [dept_a]
    assert User.objects.get(pk=clerk.pk).departments.get() == dept_a
