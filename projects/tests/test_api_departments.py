"""The department rule over REST (issue 7): personas × actions × records of department A,
department B and none, for key projects, bond reserves, attraction projects and milestones (a
child record, owned by its project's department). Model permissions come first (the leader
reads only); the rule refuses writes with a 403 whose ``detail`` says why, and nothing is
written. Reads are not restricted by department, and cost no extra query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from investment.models import AttractionProject
from jiaxian.tests.users import client_for
from projects.models import BondReserve, KeyProject, Milestone

from .conftest import PERSONAS, may_write
from .payloads import attraction_payload, bond_reserve_payload, key_project_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]


@dataclass(frozen=True)
class Kind:
    """A resource of the matrix: ``make`` a record owned by a department (or None), a valid
    ``payload`` of a new one, a harmless ``change``, and the ``move`` of a record to another
    department (the field and the value it sends)."""

    prefix: str
    model: type[models.Model]
    make: Callable
    payload: Callable
    change: dict
    move: Callable
    owners: tuple = ("A", "B")

    @classmethod
    def owned(cls, prefix: str, model: type[models.Model], factory: str, payload: Callable, change: dict, **options):
        """A ledger with a ``department`` of its own: ``factory`` (of the world) makes a record
        of a department, and the record moves by that field."""
        return cls(
            prefix,
            model,
            make=lambda w, dept: getattr(w, factory)(department=dept),
            payload=payload,
            change=change,
            move=lambda w, dept: {"department": dept.pk},
            **options,
        )


def _milestone_of(w, department):
    return w.make_key_project(department=department).milestones.first()


def _attraction_payload(w, dept):
    return attraction_payload(w, department=None if dept is None else dept.pk)


KINDS = {
    kind.prefix: kind
    for kind in (
        Kind.owned("key-projects", KeyProject, "make_key_project", key_project_payload, {"leader": "王县长"}),
        Kind.owned("bond-reserves", BondReserve, "make_bond_reserve", bond_reserve_payload, {"owner": "县水利局"}),
        Kind.owned(
            "attraction-projects",
            AttractionProject,
            "make_attraction_project",
            _attraction_payload,
            {"notes": "已对接"},
            owners=("A", "B", None),
        ),
        Kind(
            "milestones",
            Milestone,
            make=_milestone_of,
            # The project's department owns it: a new milestone of a project of ``dept``.
            payload=lambda w, dept: {
                "project": w.make_key_project(department=dept).pk,
                "kind": "custom",
                "name": "供地",
            },
            change={"note": "已完成"},
            move=lambda w, dept: {"project": w.make_key_project(department=dept).pk},
        ),
    )
}
ACTIONS = ("list", "retrieve", "create", "update", "delete")
CASES = [(prefix, owner) for prefix, kind in KINDS.items() for owner in kind.owners]


@pytest.fixture
def w(dept_a, dept_b, key_industry, area, sector, make_key_project, make_bond_reserve, make_attraction_project):
    class World:
        pass

    world = World()
    world.__dict__.update(
        departments={"A": dept_a, "B": dept_b, None: None},
        key_industry=key_industry,
        area=area,
        sector=sector,
        make_key_project=make_key_project,
        make_bond_reserve=make_bond_reserve,
        make_attraction_project=make_attraction_project,
    )
    return world


def token_client_for(user) -> APIClient:
    """A client signing in with a token, as a script does: each request loads its user afresh."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def row(record) -> dict:
    return type(record).objects.filter(pk=record.pk).values().get()


def expected_status(persona: str, action: str, owner) -> int:
    if persona == "anonymous":
        return 401
    if action in ("list", "retrieve"):
        return 200
    if not may_write(persona, owner):
        return 403
    return {"create": 201, "update": 200, "delete": 204}[action]


@pytest.mark.parametrize("prefix, owner", CASES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_may_write_only_what_the_department_rule_allows(w, make_persona, persona, action, prefix, owner):
    kind = KINDS[prefix]
    department = w.departments[owner]
    record = kind.make(w, department)
    body = kind.payload(w, department) if action == "create" else kind.change
    before, count = row(record), kind.model.objects.count()
    client = client_for(make_persona(persona))
    url = f"/api/{prefix}/"

    response = {
        "list": lambda: client.get(url),
        "retrieve": lambda: client.get(f"{url}{record.pk}/"),
        "create": lambda: client.post(url, body, format="json"),
        "update": lambda: client.patch(f"{url}{record.pk}/", body, format="json"),
        "delete": lambda: client.delete(f"{url}{record.pk}/"),
    }[action]()

    assert response.status_code == expected_status(persona, action, owner), response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"detail"}
        if persona in ("clerk of A", "clerk without department"):
            # The clerks hold the model permissions: the refusal is the department rule's, and says so.
            detail = response.json()["detail"]
            assert (w.departments[owner].name in detail) if owner else ("责任单位" in detail)
        assert row(record) == before
        assert kind.model.objects.count() == count
        return
    if action == "list":
        assert record.pk in [item["id"] for item in response.json()["results"]]
    elif action == "create":
        assert kind.model.objects.filter(pk=response.json()["id"]).exists()
    elif action == "update":
        assert row(record)["version"] == before["version"] + 1
    elif action == "delete":
        assert not kind.model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("prefix", KINDS)
def test_a_clerk_moving_a_record_of_their_department_to_another_is_refused_and_nothing_is_written(
    w, make_persona, prefix
):
    kind = KINDS[prefix]
    record = kind.make(w, w.departments["A"])
    before = row(record)
    response = client_for(make_persona("clerk of A")).patch(
        f"/api/{prefix}/{record.pk}/", kind.move(w, w.departments["B"]), format="json"
    )
    assert response.status_code == 403, response.content
    assert w.departments["B"].name in response.json()["detail"]
    assert row(record) == before


@pytest.mark.parametrize("prefix", ["key-projects", "bond-reserves", "attraction-projects"])
def test_a_clerk_replacing_a_record_whole_with_another_department_is_refused(w, make_persona, prefix):
    kind = KINDS[prefix]
    record = kind.make(w, w.departments["A"])
    before = row(record)
    body = client_for(make_persona("superuser")).get(f"/api/{prefix}/{record.pk}/").json()
    writable = kind.payload(w, w.departments["B"]).keys()
    response = client_for(make_persona("clerk of A")).put(
        f"/api/{prefix}/{record.pk}/",
        {name: body[name] for name in writable} | {"department": w.departments["B"].pk},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert row(record) == before


def test_a_clerk_may_name_another_department_on_a_milestone_of_their_project(w, make_persona):
    milestone = _milestone_of(w, w.departments["A"])
    response = client_for(make_persona("clerk of A")).patch(
        f"/api/milestones/{milestone.pk}/", {"department": w.departments["B"].pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Milestone.objects.get(pk=milestone.pk).department == w.departments["B"]


def test_a_clerk_may_not_give_an_attraction_project_of_theirs_no_department(w, make_persona):
    record = KINDS["attraction-projects"].make(w, w.departments["A"])
    before = row(record)
    response = client_for(make_persona("clerk of A")).patch(
        f"/api/attraction-projects/{record.pk}/", {"department": None}, format="json"
    )
    assert response.status_code == 403
    assert "责任单位" in response.json()["detail"]
    assert row(record) == before


def test_reference_data_is_refused_to_a_clerk_with_the_model_permission_but_not_edit_all(w, make_persona):
    from django.contrib.auth.models import Permission

    clerk = make_persona("clerk of A")
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["add_industry", "view_industry"]))
    response = client_for(clerk).post("/api/industries/", {"code": "X1", "name": "新产业"}, format="json")
    assert response.status_code == 403
    assert "所有部门" in response.json()["detail"]


def test_a_refused_write_is_a_403_also_when_the_body_is_otherwise_fine_but_a_400_comes_first_for_a_bad_body(
    w, make_persona
):
    # A bad body on one's own record is still a 400 naming the field; a write to another
    # department's record is refused before its body is read.
    clerk = client_for(make_persona("clerk of A"))
    own, other = KINDS["key-projects"].make(w, w.departments["A"]), KINDS["key-projects"].make(w, w.departments["B"])
    assert clerk.patch(f"/api/key-projects/{own.pk}/", {"total_investment": "-1"}, format="json").status_code == 400
    assert clerk.patch(f"/api/key-projects/{other.pk}/", {"total_investment": "-1"}, format="json").status_code == 403


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 10])
def test_a_clerks_list_costs_the_same_queries_at_any_size(w, make_persona, django_assert_num_queries, size):
    for i in range(size):
        KINDS["bond-reserves"].make(w, w.departments["A" if i % 2 else "B"])
    client = token_client_for(make_persona("clerk of A"))
    client.get("/api/bond-reserves/")  # warm up
    # The token with its user, the user's permissions and their groups' (DRF's model permission
    # check), the count, the page. No query for departments: reads are not restricted by them.
    with django_assert_num_queries(5):
        response = client.get("/api/bond-reserves/")
    assert len(response.json()["results"]) == size


def test_a_clerks_write_reads_their_departments_once_and_costs_the_same_at_any_size(w, make_persona):
    client = token_client_for(make_persona("clerk of A"))
    record = KINDS["bond-reserves"].make(w, w.departments["A"])

    def patch() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.patch(f"/api/bond-reserves/{record.pk}/", {"owner": "县水利局"}, format="json")
        assert response.status_code == 200, response.content
        return [query["sql"] for query in queries.captured_queries]

    at_1 = patch()
    for _ in range(10):
        KINDS["bond-reserves"].make(w, w.departments["B"])
    at_11 = patch()
    assert len(at_11) == len(at_1)
    # The department rule adds one query: the user's departments, once for both of its checks
    # (the record as stored, and where the write puts it).
    assert sum("projects_department_members" in sql for sql in at_11) == 1


def test_the_schema_documents_the_403_of_writes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/key-projects/{id}/"]["patch"]
    assert "department" in operation["responses"]["403"]["description"]
    assert "department" not in schema["paths"]["/api/key-projects/"]["get"]["responses"]["403"]["description"]
