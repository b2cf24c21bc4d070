"""``/api/oc4ids/`` and ``manage.py export_oc4ids``: who may read the package, the anonymous
switch and its private fields, the parameters (a bad one a 400), the stream and its queries."""

from __future__ import annotations

import datetime
import itertools
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]


_users = itertools.count(1)


def reader(*codenames: str) -> APIClient:
    user = User.objects.create_user(f"user{next(_users)}", password="pw")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(response) -> dict:
    assert isinstance(response, StreamingHttpResponse), response
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def listed(make_key_project, make_listing):
    project = make_key_project(project_code="2301-410425-04-01-654321", leader="赵六")
    make_listing(project=project, year=2023, planned_investment=Decimal("100.00"), listed_on=D(2023, 2, 1))
    return project


def test_a_reader_of_key_projects_gets_the_package(listed):
    response = reader("view_keyproject").get("/api/oc4ids/", {"year": 2023, "as_of": "2023-06-30"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    package = body(response)
    assert package["uri"] == "http://testserver/api/oc4ids/?year=2023&as_of=2023-06-30&known_on=2023-06-30"
    assert package["version"] == "0.9"
    [project] = package["projects"]
    assert project["id"] == "oc4ids-jxdrc0-2301-410425-04-01-654321"
    assert project["parties"][0]["people"][0]["name"] == "赵六"
    assert response["Cache-Control"] == "no-store"


def test_the_uri_records_known_on_and_the_default_as_of(listed):
    response = reader("view_keyproject").get("/api/oc4ids/", {"year": 2023, "known_on": "2023-05-01"})
    assert body(response)["uri"].endswith("?year=2023&as_of=2023-06-30&known_on=2023-05-01")


def test_one_project_by_its_oc4ids_id_code_or_local_id(listed):
    client = reader("view_keyproject")
    for identifier in ("oc4ids-jxdrc0-2301-410425-04-01-654321", "2301-410425-04-01-654321", str(listed.pk)):
        response = client.get(f"/api/oc4ids/{identifier}/")
        assert response.status_code == 200, identifier
        assert [p["title"] for p in body(response)["projects"]] == [listed.name]
    assert client.get("/api/oc4ids/oc4ids-jxdrc0-99999/").status_code == 404
    assert client.get("/api/oc4ids/99999999999999999999999/").status_code == 404
    assert client.get("/api/oc4ids/%00abc/").status_code == 404
    assert client.get("/api/oc4ids/" + "x" * 300 + "/").status_code == 404


def test_anonymous_is_401_and_a_user_without_the_permission_403(listed):
    assert APIClient().get("/api/oc4ids/", {"year": 2023}).status_code == 401
    assert APIClient().get(f"/api/oc4ids/{listed.pk}/").status_code == 401
    response = reader("view_bondreserve").get("/api/oc4ids/", {"year": 2023})
    assert response.status_code == 403
    assert "projects.view_keyproject" in response.json()["detail"]


def test_the_public_switch_opens_the_feed_without_the_private_fields(listed, settings):
    settings.OC4IDS_PUBLIC = True
    response = APIClient().get("/api/oc4ids/", {"year": 2023})
    assert response.status_code == 200
    [project] = body(response)["projects"]
    assert project["parties"][0]["people"] == [{"id": "leader", "jobTitle": "县级分包领导"}]
    assert response["Cache-Control"] == "max-age=300"
    # A signed-in user without the permission reads the public feed too; a reader the whole.
    assert (
        "name"
        not in body(reader("view_bondreserve").get("/api/oc4ids/", {"year": 2023}))["projects"][0]["parties"][0][
            "people"
        ][0]
    )
    assert (
        body(reader("view_keyproject").get("/api/oc4ids/", {"year": 2023}))["projects"][0]["parties"][0]["people"][0][
            "name"
        ]
        == "赵六"
    )


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"year": "abc"},
        {"year": "1999"},
        {"year": "2023", "as_of": "2023-13-01"},
        {"year": "2023", "as_of": "yesterday"},
        {"year": "2023", "known_on": "2023-02-30"},
        {"year": "2023", "as_of": "9999-01-01"},
        {"year": "2023", "as_of": "", "known_on": ""},
        {"year": ""},
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(listed, query):
    response = reader("view_keyproject").get("/api/oc4ids/", query)
    assert response.status_code == 400
    assert set(response.json()) <= {"year", "as_of", "known_on"}


def test_a_bad_parameter_of_one_project_is_a_400(listed):
    assert reader("view_keyproject").get(f"/api/oc4ids/{listed.pk}/", {"as_of": "x"}).status_code == 400


def test_a_year_with_no_listed_project_is_a_404(listed):
    assert reader("view_keyproject").get("/api/oc4ids/", {"year": 2024}).status_code == 404
    # Not yet listed on the day asked.
    assert reader("view_keyproject").get("/api/oc4ids/", {"year": 2023, "as_of": "2023-01-31"}).status_code == 404


def test_the_request_costs_the_same_queries_at_two_sizes(listed, make_key_project, make_listing):
    client = reader("view_keyproject")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            body(client.get("/api/oc4ids/", {"year": 2023}))
        return len(queries)

    count()  # the user's permissions, read once and kept on the user
    one = count()
    for _number in range(4):
        make_listing(project=make_key_project(), year=2023, listed_on=D(2023, 2, 1))
    assert count() == one


# --- the command ---------------------------------------------------------------------------


def test_the_command_writes_the_same_package(listed, tmp_path, settings, capsys):
    settings.SITE_URL = "https://invest.example.gov.cn"
    output = tmp_path / "package.json"
    call_command("export_oc4ids", "--year", "2023", "--as-of", "2023-06-30", "--output", str(output))
    written = json.loads(output.read_text(encoding="utf-8"))
    assert written["uri"] == "https://invest.example.gov.cn/api/oc4ids/?year=2023&as_of=2023-06-30&known_on=2023-06-30"
    served = body(reader("view_keyproject").get("/api/oc4ids/", {"year": 2023, "as_of": "2023-06-30"}))
    assert written["projects"] == served["projects"]
    assert capsys.readouterr().out.strip().endswith("1 projects")
    assert list(tmp_path.iterdir()) == [output]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "abc"], "--year"),
        (["--year", "2023", "--as-of", "2023-02-30"], "--as-of"),
        (["--year", "2023", "--known-on", "x"], "--known-on"),
        (["--year", "2024"], "2024"),
    ],
)
def test_the_command_refuses_bad_options(listed, tmp_path, settings, arguments, message):
    settings.SITE_URL = "https://invest.example.gov.cn"
    with pytest.raises(CommandError, match=message):
        call_command("export_oc4ids", *arguments, "--output", str(tmp_path / "x.json"))
    assert list(tmp_path.iterdir()) == []


def test_the_command_needs_the_site_url(listed, tmp_path, settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="JIAXIAN_SITE_URL"):
        call_command("export_oc4ids", "--year", "2023", "--output", str(tmp_path / "x.json"))
