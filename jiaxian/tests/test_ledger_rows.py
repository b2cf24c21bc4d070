"""The admin lists' rows (``jiaxian/templatetags/ledger_rows.py``) are the HTML Django's
``result_list`` makes, cell for cell, on every registered admin's list of the demo data: in
both languages, sorted, searched and filtered (the links keep the list's filters), and with
records whose names need escaping and whose optional fields are empty."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from jiaxian.templatetags import ledger_rows

QUERIES = [{}, {"o": "-2.1"}, {"q": "项目"}, {"year": "2023"}]


def changelists(user, query):
    for model, model_admin in admin.site._registry.items():
        request = RequestFactory().get("/", query)
        request.user = user
        if not model_admin.has_view_or_change_permission(request):
            continue
        params = {key: value for key, value in query.items() if key != "year" or hasattr(model, "year")}
        request = RequestFactory().get("/", params)
        request.user = user
        try:
            changelist = model_admin.get_changelist_instance(request)
        except Exception as error:  # a list that refuses the parameter (say, too few columns to sort)
            if params:
                continue
            raise AssertionError(f"{model.__name__}: {error}") from error
        changelist.formset = None
        yield model, changelist


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", QUERIES, ids=["plain", "sorted", "searched", "filtered"])
def test_every_lists_rows_are_djangos(
    demo_data, admin_user, make_key_project, make_attraction_project, language, query
):
    make_key_project(name='<b>甲&"乙</b>')
    make_attraction_project(name="<script>丙</script>")
    shown, models = 0, set()
    with translation.override(language):
        for model, changelist in changelists(admin_user, query):
            django_rows = [list(row) for row in admin_list.results(changelist)]
            ours = list(ledger_rows.cells(changelist))
            assert ours == django_rows, model.__name__
            # What the template writes: a row's cells as one piece.
            assert [list(row) for row in ledger_rows.rows(changelist)] == [["".join(row)] for row in django_rows]
            shown += len(ours)
            models.add(model._meta.label)
    assert shown > 100  # the demo's records were listed
    assert {"projects.KeyProject", "projects.BondReserve", "investment.AttractionProject"} <= models


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/projects/keyproject/", "/admin/projects/bondreserve/?o=-2"])
def test_the_page_writes_djangos_rows_in_its_table(demo_data, admin_user, admin_client, path):
    # The rows as the page writes them (templates/admin/change_list_results.html) are the ones
    # Django's own loop over its results writes, and the table has no other rows.
    page = admin_client.get(path).content.decode()
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body is not None
    model_admin = admin.site._registry[apps.get_model(*path.split("/")[2:4])]
    request = RequestFactory().get(path)
    request.user = admin_user
    request.resolver_match = resolve(path.partition("?")[0])  # the list's links keep its filters
    changelist = model_admin.get_changelist_instance(request)
    changelist.formset = None
    djangos = "".join(f"<tr>{''.join(row)}</tr>" for row in admin_list.results(changelist))
    assert body.group(1).replace("\n", "") == djangos.replace("\n", "")
    assert body.group(1).count("<tr>") == len(changelist.result_list) > 10
