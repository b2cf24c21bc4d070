"""Every year, quarter and as-of date a door receives is read by ``jiaxian.periods`` with one range,
the years 2000 to 2100: at the calendar's edges (9999-12-31, 0001-01-01) a 400 or a message, never
a 500, on every API path that takes ``as_of``, the admin's pages and the commands; at the range's
edges (2000-01-01, 2100-12-31) an answer. The parsers themselves are tested in ``test_periods.py``."""

from __future__ import annotations

import datetime
import html
import io
import re

import pytest
from django.core.management import CommandError, call_command

from investment.models import ChainLink

d = datetime.date


EDGES_REFUSED = ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"]
EDGES_TAKEN = ["2000-01-01", "2100-12-31"]


@pytest.fixture
def as_of_doors(make_year_plan, make_listing, make_link, make_target, make_key_project):
    """Every API path that takes ``as_of``, with a record behind each. The plans' yellow
    milestone window is huge, so that the light's date arithmetic (as of 2000-01-01 under the
    plan of 2000) reaches before year 1."""
    for year in (2000, 2023, 2100):
        make_year_plan(year, milestone_yellow_max_days=1_000_000)
    listing = make_listing(year=2023)
    project = listing.project
    project.milestones.create(kind="start", planned_on=d(2023, 3, 1))
    target = make_target(contacted_on=d(2023, 2, 1))
    chain = ChainLink.objects.get(pk=target.link_id).chain
    return {
        "key-projects": "/api/key-projects/?",
        "key-project": f"/api/key-projects/{project.pk}/?",
        "quotas": "/api/reports/quotas/?year=2023&",
        "chain-conversion": "/api/reports/chain-conversion/?year=2023&",
        "chain-map": f"/api/chains/{chain.pk}/map/?",
    }


DOORS = ["key-projects", "key-project", "quotas", "chain-conversion", "chain-map"]


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("as_of", EDGES_REFUSED)
def test_an_as_of_outside_2000_to_2100_is_a_400_naming_it(api, as_of_doors, door, as_of):
    response = api.get(f"{as_of_doors[door]}as_of={as_of}")
    assert response.status_code == 400
    assert response.json() == {"as_of": [f"{as_of} is outside the years 2000 to 2100."]}


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("as_of", EDGES_TAKEN)
def test_an_as_of_at_the_edges_of_the_range_is_answered(api, as_of_doors, door, as_of):
    response = api.get(f"{as_of_doors[door]}as_of={as_of}")
    assert response.status_code == 200, response.content
    body = response.json()
    if "as_of" in body:
        assert body["as_of"] == as_of


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("as_of", ["2023-02-30", "20230630", "2023-6-30", "soon"])
def test_an_unreadable_as_of_is_a_400_naming_it_on_every_door(api, as_of_doors, door, as_of):
    response = api.get(f"{as_of_doors[door]}as_of={as_of}")
    assert response.status_code == 400
    assert response.json() == {"as_of": [f"“{as_of}” is not a date written YYYY-MM-DD."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "/api/reports/quotas/?year=1999",
        "/api/reports/quotas/?year=2101",
        "/api/reports/chain-conversion/?year=9999",
        "/api/exports/quarterly/?year=1999&quarter=1",
    ],
)
def test_a_year_outside_2000_to_2100_is_a_400_naming_it(api, make_year_plan, query):
    response = api.get(query)
    assert response.status_code == 400
    assert list(response.json()) == ["year"]
    assert "is not a year from 2000 to 2100" in response.json()["year"][0]


# Every list's year filter (and the plans' year range, the filings' quarter) is read like the
# report's: a year outside the range is the same 400, not an empty list.
LIST_YEARS = [
    ("/api/plans/", "year"),
    ("/api/plans/", "year_min"),
    ("/api/plans/", "year_max"),
    ("/api/key-projects/", "year"),
    ("/api/annual-listings/", "year"),
    ("/api/bond-reserves/", "year"),
    ("/api/attraction-projects/", "year"),
    ("/api/filings/", "year"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), LIST_YEARS)
@pytest.mark.parametrize("year", ["1999", "2101", "0", "-2023", "2023.0"])
def test_a_list_refuses_a_year_outside_2000_to_2100_as_the_report_does(api, path, name, year):
    report = api.get("/api/reports/quotas/", {"year": year})
    response = api.get(path, {name: year})
    assert (response.status_code, report.status_code) == (400, 400)
    assert response.json() == {name: report.json()["year"]}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), LIST_YEARS)
@pytest.mark.parametrize("year", ["2000", "2100"])
def test_a_list_takes_a_year_at_the_edges_of_the_range(api, path, name, year):
    assert api.get(path, {name: year}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", ["0", "5", "1.0", "x"])
def test_the_filings_list_refuses_a_bad_quarter_as_the_export_does(api, quarter):
    response = api.get("/api/filings/", {"quarter": quarter})
    assert response.status_code == 400
    assert response.json() == {"quarter": [f"“{quarter}” is not a quarter: 1, 2, 3 or 4."]}


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", ["0", "5", "1.0", "x"])
def test_a_bad_quarter_is_a_400_naming_it(api, make_year_plan, quarter):
    make_year_plan(2023)
    response = api.get("/api/exports/quarterly/", {"year": "2023", "quarter": quarter})
    assert response.status_code == 400
    assert response.json() == {"quarter": [f"“{quarter}” is not a quarter: 1, 2, 3 or 4."]}


# The admin's pages: a message on the page, never a 500.


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", EDGES_REFUSED)
def test_the_admin_pages_refuse_an_as_of_outside_the_range(admin_client, as_of_doors, as_of):
    chain_id = as_of_doors["chain-map"].split("/")[3]
    for path in ("/admin/dashboard/?year=2023&", f"/admin/chains/{chain_id}/map/?"):
        response = admin_client.get(f"{path}as_of={as_of}")
        assert response.status_code == 400, path
        assert f"{as_of} 不在 2000 至 2100 年之间。" in response.content.decode(), path


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", EDGES_TAKEN)
def test_the_admin_pages_answer_an_as_of_at_the_edges_of_the_range(admin_client, as_of_doors, as_of):
    chain_id = as_of_doors["chain-map"].split("/")[3]
    for path in ("/admin/dashboard/?year=2023&", f"/admin/chains/{chain_id}/map/?"):
        assert admin_client.get(f"{path}as_of={as_of}").status_code == 200, path


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [*EDGES_REFUSED, "2023-02-30"])
def test_the_records_behind_a_figure_refuse_an_as_of_outside_the_range(admin_client, as_of_doors, as_of):
    response = admin_client.get("/admin/projects/keyproject/", {"listed_for": "2023", "as_of": as_of})
    # The admin's answer to a bad filter: the whole list with ?e=1, and the message.
    assert response.status_code == 302 and "e=1" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", EDGES_TAKEN)
def test_the_records_behind_a_figure_take_an_as_of_at_the_edges(admin_client, as_of_doors, as_of):
    response = admin_client.get("/admin/projects/keyproject/", {"listed_for": "2023", "as_of": as_of})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["1999", "2101"])
def test_the_monthly_entry_page_refuses_a_year_outside_the_range(admin_client, year):
    response = admin_client.get("/admin/progress/monthly/", {"year": year, "month": "1"})
    assert f"“{year}”不是 2000 至 2100 之间的年份。" in html.unescape(response.content.decode())


# The commands (their parser speaks the default language, Chinese).


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "1999", "--quarter", "1"], "argument --year: “1999”不是 2000 至 2100 之间的年份。"),
        (["--year", "2023", "--quarter", "5"], "argument --quarter: “5”不是季度：应为 1、2、3 或 4。"),
    ],
)
def test_the_export_command_refuses_a_year_or_quarter_outside_the_range(tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_quarter", *arguments, "--output", str(tmp_path / "x.xlsx"), stdout=io.StringIO())


@pytest.mark.django_db
def test_the_import_command_refuses_a_year_outside_the_range(tmp_path):
    with pytest.raises(CommandError, match="argument --year: “2101”不是 2000 至 2100 之间的年份。"):
        call_command("import_ledger", "--model", "key-projects", str(tmp_path / "x.xlsx"), "--year", "2101")


@pytest.mark.django_db
def test_the_benchmark_command_refuses_an_as_of_outside_the_range(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="argument --as-of: 9999-12-31 不在 2000 至 2100 年之间。"):
        call_command("bench_quotas", "--as-of", "9999-12-31", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_schema_gives_every_as_of_the_pattern_of_the_range_and_every_year_its_bounds(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    as_of = year = 0
    for path, operations in schema["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] == "as_of":
                as_of += 1
                pattern = re.compile(parameter["schema"]["pattern"])
                assert pattern.match("2000-01-01") and pattern.match("2100-12-31"), path
                assert not any(pattern.match(day) for day in ("1999-12-31", "2101-01-01", "9999-12-31")), path
            if parameter["name"] == "year" and path.startswith(("/api/reports/", "/api/exports/")):
                year += 1
            if (
                parameter["name"] in ("year", "year_min", "year_max")
                and parameter["in"] == "query"
                and "progress" not in path
            ):
                assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (2000, 2100), path
    # as_of: the key projects' list and detail, the quota, chain-conversion, rankings and
    # indicators reports, the chain map, the supervision orders' list and detail, the OC4IDS
    # package and one project; year: quotas, chain conversion, rankings, indicators, the
    # quarterly export and the monthly circular.
    assert as_of == 11 and year == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("valid_on", "status"), [("9999-12-31", 400), ("0001-01-01", 400), ("2000-01-01", 200), ("2100-12-31", 200)]
)
def test_the_policies_valid_on_is_read_like_every_as_of(api, valid_on, status):
    response = api.get("/api/policies/", {"valid_on": valid_on})
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"valid_on": [f"{valid_on} is outside the years 2000 to 2100."]}
