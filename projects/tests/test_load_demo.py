"""``manage.py load_demo``: demo data and demo login on the embedded database only."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from projects import access
from projects.management.commands import load_demo
from projects.models import KeyProject, YearPlan

pytestmark = pytest.mark.django_db


def test_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("load_demo", stdout=StringIO())
    assert not YearPlan.objects.exists()


def test_refuses_on_a_database_other_than_the_embedded_sqlite_file(settings):
    # The test database is never the project's db.sqlite3.
    settings.DEBUG = True
    with pytest.raises(CommandError, match="embedded SQLite"):
        call_command("load_demo", stdout=StringIO())


def test_loads_the_demo_data_once_and_prints_a_login_that_works(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(load_demo, "is_embedded_demo_database", lambda: True)
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert YearPlan.objects.filter(year=2023).exists()
    projects = KeyProject.objects.count()
    assert projects >= 60
    assert "http://127.0.0.1:8000/admin/" in out.getvalue()
    assert f"user {load_demo.DEMO_USERNAME}  password {load_demo.DEMO_PASSWORD}" in out.getvalue()
    assert authenticate(username=load_demo.DEMO_USERNAME, password=load_demo.DEMO_PASSWORD) is not None
    # One login per group, each printed and working; only the department clerk has a department,
    # one that owns demo key projects, which it may edit while others' it may not.
    for username, password, group, in_department in load_demo.DEMO_GROUP_LOGINS:
        assert f"user {username}  password {password}  ({group}" in out.getvalue()
        user = authenticate(username=username, password=password)
        assert user is not None and user.is_staff and not user.is_superuser
        assert [g.name for g in user.groups.all()] == [group]
        assert user.departments.exists() == in_department
    clerk = authenticate(username="clerk", password="jiaxian-clerk-2023")
    own = KeyProject.objects.filter(department__in=clerk.departments.all())
    assert own.exists() and KeyProject.objects.exclude(pk__in=own).exists()
    assert {project for project in KeyProject.objects.all() if access.may_edit(clerk, project)} == set(own)
    assert access.edits_all_departments(authenticate(username="bureau", password="jiaxian-bureau-2023"))
    assert not access.edits_all_departments(authenticate(username="leader", password="jiaxian-leader-2023"))

    # A second run keeps what is there (no duplicate, no overwrite) and still prints the login.
    KeyProject.objects.filter(pk=KeyProject.objects.first().pk).update(leader="改过的领导")
    out = StringIO()
    call_command("load_demo", "--address", "127.0.0.1:18301", stdout=out)
    assert "left as it is" in out.getvalue()
    # The address make run serves (its HOST:PORT), not always runserver's default.
    assert "http://127.0.0.1:18301/admin/" in out.getvalue()
    assert KeyProject.objects.count() == projects
    assert KeyProject.objects.filter(leader="改过的领导").count() == 1
    assert "user clerk  password jiaxian-clerk-2023" in out.getvalue()
