"""A query parameter that nothing reads is a 400 naming it (``jiaxian.api_defaults.FilterBackend``):
a misspelt filter must not give the whole list as if it had filtered. What every list reads (its
filters, ``page``, ``page_size``, ``ordering``, DRF's ``format``) and what a view reads itself
(the key projects' ``as_of``) are taken."""

from __future__ import annotations

import pytest

from jiaxian.urls import router

PREFIXES = [prefix for prefix, _viewset, _basename in router.registry]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_list_refuses_a_parameter_nothing_reads_naming_it_and_the_ones_there_are(api, prefix):
    response = api.get(f"/api/{prefix}/", {"bogus": "1"})
    assert response.status_code == 400, response.content
    (message,) = response.json()["bogus"]
    assert message.startswith("Unknown parameter; the parameters are: ")
    assert {"page", "page_size", "format"} <= set(message.removesuffix(".").split(": ", 1)[1].split(", "))


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_list_takes_the_pages_and_the_format(api, prefix):
    query = {"page": "1", "page_size": "10"}
    if prefix not in ("filings", "circular-filings"):  # there ``format`` is the filings' own filter (xlsx or csv)
        query["format"] = "json"
    response = api.get(f"/api/{prefix}/", query)
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_a_misspelt_range_is_refused_and_each_unknown_parameter_named(api):
    response = api.get("/api/key-projects/", {"total_investmen_min": "1", "yaer": "2023", "year": "2023"})
    assert response.status_code == 400
    assert sorted(response.json()) == ["total_investmen_min", "yaer"]
    assert "total_investment_min" in response.json()["yaer"][0]


@pytest.mark.django_db
def test_the_key_projects_as_of_is_read_by_the_list_and_the_record(api, make_key_project):
    project = make_key_project()
    assert api.get("/api/key-projects/", {"as_of": "2023-06-30", "ordering": "-name"}).status_code == 200
    assert api.get(f"/api/key-projects/{project.pk}/", {"as_of": "2023-06-30"}).status_code == 200
    assert api.get(f"/api/key-projects/{project.pk}/", {"as_on": "2023-06-30"}).status_code == 400
