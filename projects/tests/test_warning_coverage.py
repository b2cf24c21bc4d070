"""The bond reserve's coverage warning (覆盖倍数预警): the list's answer
(``BondReserveQuerySet.with_coverage_warning``) the same as the model's
(``BondReserve.coverage_warning``), and shown on the admin's list and in the API."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import BondReserve
from projects.querysets import BondReserveQuerySet

CHANGELIST = "admin:projects_bondreserve_changelist"

# (expected income, principal and interest): around the default warning ratio, 1.2000.
AMOUNTS = [
    pytest.param(D("12000.00"), D("10000.00"), id="exactly-1.2"),
    pytest.param(D("119.99"), D("100.00"), id="1.1999"),
    pytest.param(D("11999.99"), D("10000.00"), id="one-cent-short-of-1.2"),
    pytest.param(D("12000.01"), D("10000.00"), id="one-cent-above-1.2"),
    pytest.param(D("120.12"), D("100.10"), id="exactly-1.2-of-cents"),
    pytest.param(D("120.11"), D("100.10"), id="a-cent-short-of-1.2-of-cents"),
    # 1.2 × 38.70 is 46.44 exactly, but a little more in floating point (SQLite's decimals).
    pytest.param(D("46.44"), D("38.70"), id="exactly-1.2-where-floats-are-off"),
    pytest.param(D("101.88"), D("84.90"), id="exactly-1.2-where-floats-are-off-again"),
    pytest.param(D("14990.00"), D("10000.00"), id="1.499"),
    pytest.param(D("15000.00"), D("10000.00"), id="exactly-1.5"),
    pytest.param(D("0.00"), D("0.01"), id="no-income"),
]


@pytest.mark.parametrize(
    "ratio_2023",
    [
        pytest.param(None, id="no-plan"),
        pytest.param(D("1.2000"), id="plan-with-the-default"),
        pytest.param(D("1.5000"), id="higher"),
        pytest.param(D("1.2001"), id="a-ten-thousandth-higher"),
    ],
)
@pytest.mark.parametrize(("income", "principal"), AMOUNTS)
def test_the_annotation_equals_the_models_coverage_warning(
    make_year_plan, build_bond_reserve, ratio_2023, income, principal
):
    # 2023 has the plan of the case; 2024 never has one (the default ratio). Written without the
    # model's checks: the refusal ratio would refuse some of the amounts, the warning still speaks.
    if ratio_2023 is not None:
        make_year_plan(2023, coverage_warning_ratio=ratio_2023)
    reserves = BondReserve.objects.bulk_create(
        build_bond_reserve(year=year, expected_income=income, principal_and_interest=principal) for year in (2023, 2024)
    )
    annotated = dict(BondReserve.objects.with_coverage_warning().values_list("pk", "has_coverage_warning"))
    assert annotated == {reserve.pk: BondReserve.objects.get(pk=reserve.pk).coverage_warning() for reserve in reserves}


def test_the_annotation_follows_each_reserves_own_year(make_year_plan, make_bond_reserve):
    make_year_plan(2023, coverage_warning_ratio=D("1.5000"))
    warned = make_bond_reserve(year=2023, expected_income=D("14990.00"), principal_and_interest=D("10000.00"))
    clear = make_bond_reserve(year=2024, expected_income=D("14990.00"), principal_and_interest=D("10000.00"))
    annotated = dict(BondReserve.objects.with_coverage_warning().values_list("pk", "has_coverage_warning"))
    assert annotated == {warned.pk: True, clear.pk: False}


def test_the_condition_under_a_given_ratio_counts_the_reserves_below_it(make_bond_reserve):
    make_bond_reserve(expected_income=D("12000.00"), principal_and_interest=D("10000.00"))
    below = make_bond_reserve(expected_income=D("11999.99"), principal_and_interest=D("10000.00"))
    condition = BondReserveQuerySet.coverage_warning_condition(D("1.2000"))
    assert list(BondReserve.objects.filter(condition)) == [below]


# --- shown: the admin's list and the API -----------------------------------------------------


@pytest.fixture
def warned_and_clear(make_year_plan, make_bond_reserve):
    make_year_plan(2023, coverage_warning_ratio=D("1.3000"))
    warned = make_bond_reserve(name="低覆盖", expected_income=D("15000.00"), principal_and_interest=D("12000.00"))
    clear = make_bond_reserve(name="高覆盖", expected_income=D("18000.00"), principal_and_interest=D("12000.00"))
    return warned, clear


def test_the_admin_list_shows_the_warning_of_each_reserve(zh_admin_client, warned_and_clear):
    response = zh_admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    rows = {row.name: row.has_coverage_warning for row in response.context["cl"].result_list}
    assert rows == {"低覆盖": True, "高覆盖": False}
    page = response.content.decode()
    assert "覆盖倍数预警" in page
    assert "column-coverage_warning_column" in page
    # In words on the warned reserve only (Django's boolean icons would tick the warning green).
    assert page.count('<span class="coverage-warning">低于预警倍数</span>') == 1
    assert "icon-yes.svg" not in page and "icon-no.svg" not in page


def test_the_admin_list_sorts_by_the_warning(zh_admin_client, warned_and_clear):
    columns = zh_admin_client.get(reverse(CHANGELIST)).context["cl"].list_display
    by_warning = str(columns.index("coverage_warning_column"))
    names = [
        row.name for row in zh_admin_client.get(reverse(CHANGELIST), {"o": f"-{by_warning}"}).context["cl"].result_list
    ]
    assert names == ["低覆盖", "高覆盖"]


def test_the_admin_list_costs_the_same_queries_at_2_and_at_40_reserves(
    zh_admin_client, warned_and_clear, make_bond_reserve, django_assert_num_queries
):
    zh_admin_client.get(reverse(CHANGELIST))  # warm up: the session and caches of a first request
    with CaptureQueriesContext(connection) as at_2:
        zh_admin_client.get(reverse(CHANGELIST))
    for n in range(38):
        make_bond_reserve(expected_income=D("15000.00") if n % 2 else D("18000.00"))
    with django_assert_num_queries(len(at_2)):
        response = zh_admin_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 40


@pytest.fixture
def api(admin_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_the_api_gives_the_warning_of_each_reserve(api, warned_and_clear):
    warned, clear = warned_and_clear
    listed = {row["name"]: row["coverage_warning"] for row in api.get("/api/bond-reserves/").json()["results"]}
    assert listed == {"低覆盖": True, "高覆盖": False}
    assert api.get(f"/api/bond-reserves/{warned.pk}/").json()["coverage_warning"] is True


def test_a_written_reserve_answers_with_its_warning_as_written(api, warned_and_clear):
    warned, _clear = warned_and_clear
    response = api.patch(
        f"/api/bond-reserves/{warned.pk}/",
        {"expected_income": "18000.00", "version": warned.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["coverage_warning"] is False


def test_the_warning_is_read_only(api, warned_and_clear):
    _warned, clear = warned_and_clear
    response = api.patch(
        f"/api/bond-reserves/{clear.pk}/", {"coverage_warning": True, "version": clear.version}, format="json"
    )
    assert response.status_code in (200, 400)
    assert BondReserve.objects.with_coverage_warning().get(pk=clear.pk).has_coverage_warning is False
    assert api.get(f"/api/bond-reserves/{clear.pk}/").json()["coverage_warning"] is False


def test_a_reserve_entered_later_is_not_a_date_question(make_bond_reserve):
    # The warning is about the amounts, whatever the date: a reserve not in the pool yet warns too.
    reserve = make_bond_reserve(
        reserved_on=datetime.date(2023, 12, 1), expected_income=D("12000.00"), principal_and_interest=D("12000.00")
    )
    assert BondReserve.objects.with_coverage_warning().get(pk=reserve.pk).has_coverage_warning is True
