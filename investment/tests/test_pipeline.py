"""The lead pipeline: signing a target enterprise (one atomic action, linked both ways, refused
twice and without the earlier steps) and the conversion figures of each chain."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from investment import quotas
from investment.models import AttractionProject, Responsibility, TargetEnterprise
from investment.pipeline import AlreadySigned, project_defaults, sign
from jiaxian.versions import StaleVersion

D = datetime.date
pytestmark = pytest.mark.django_db

MONEY = {"contract_amount": Decimal("12000.00"), "fixed_asset_investment": Decimal("9000.00")}


# --- signing ---------------------------------------------------------------------------------


def test_signing_creates_the_attraction_project_with_the_carried_over_fields(today, negotiating, key_industry):
    project = sign(negotiating, signed_on=D(2023, 6, 1), **MONEY)
    assert project.pk is not None
    assert project.year == 2023
    assert project.signed_on == D(2023, 6, 1)
    assert project.investor == "深圳贝特瑞"
    assert project.name == "深圳贝特瑞 负极材料 project" or "深圳贝特瑞" in project.name
    assert project.industry == key_industry  # the chain's one industry
    assert project.leader == "王县长"
    assert project.link == negotiating.link
    assert project.contract_amount == Decimal("12000.00")


def test_signing_links_the_target_and_the_project_both_ways(today, negotiating):
    project = sign(negotiating, signed_on=D(2023, 6, 1), **MONEY)
    target = TargetEnterprise.objects.get(pk=negotiating.pk)
    assert target.attraction_project == project
    assert target.signed_on == D(2023, 6, 1)
    assert AttractionProject.objects.get(pk=project.pk).target_enterprise == target
    assert target.stage_on(D(2023, 6, 1)) == "signed"


def test_the_clerks_fields_override_the_carried_over_ones(today, negotiating, other_industry, department):
    project = sign(
        negotiating,
        signed_on=D(2023, 6, 1),
        name="年产5万吨负极材料项目",
        industry=other_industry,
        department=department,
        leader="李副县长",
        **MONEY,
    )
    assert (project.name, project.industry, project.department, project.leader) == (
        "年产5万吨负极材料项目",
        other_industry,
        department,
        "李副县长",
    )


def test_the_responsible_unit_is_carried_over_when_one_responsibility_names_it(today, negotiating, department):
    responsibility = Responsibility.objects.create(chain=negotiating.link.chain, person="张三", department=department)
    responsibility.target_enterprises.add(negotiating)
    assert sign(negotiating, signed_on=D(2023, 6, 1), **MONEY).department == department


def test_a_chain_of_several_industries_leaves_the_industry_to_the_clerk(today, negotiating, other_industry):
    negotiating.link.chain.industries.add(other_industry)
    assert "industry" not in project_defaults(negotiating)
    with pytest.raises(ValidationError) as caught:
        sign(negotiating, signed_on=D(2023, 6, 1), **MONEY)
    assert "industry" in caught.value.message_dict
    assert not AttractionProject.objects.exists()


def test_signing_twice_is_refused_and_makes_no_second_project(today, negotiating):
    first = sign(negotiating, signed_on=D(2023, 6, 1), **MONEY)
    with pytest.raises(AlreadySigned) as caught:
        sign(negotiating, signed_on=D(2023, 6, 2), name="另一个项目", **MONEY)
    assert caught.value.project == first
    assert AttractionProject.objects.count() == 1
    # Also with a stale copy that still believes the target unsigned: the row is read again.
    stale = TargetEnterprise.objects.get(pk=negotiating.pk)
    stale.signed_on = None
    stale.attraction_project = None
    with pytest.raises(AlreadySigned):
        sign(stale, signed_on=D(2023, 6, 2), name="第三个项目", **MONEY)
    assert AttractionProject.objects.count() == 1


def test_signing_a_target_changed_since_the_version_read_is_refused_and_writes_nothing(today, negotiating):
    TargetEnterprise.objects.get(pk=negotiating.pk).save()  # someone else's change: version 2
    with pytest.raises(StaleVersion) as caught:
        sign(negotiating, signed_on=D(2023, 6, 1), expected_version=1, **MONEY)
    assert (caught.value.expected, caught.value.current) == (1, 2)
    # By default the version claimed is the one of the copy given, read before that change.
    with pytest.raises(StaleVersion):
        sign(negotiating, signed_on=D(2023, 6, 1), **MONEY)
    assert not AttractionProject.objects.exists()
    stored = TargetEnterprise.objects.get(pk=negotiating.pk)
    assert (stored.signed_on, stored.version) == (None, 2)
    project = sign(negotiating, signed_on=D(2023, 6, 1), expected_version=2, **MONEY)
    assert TargetEnterprise.objects.get(pk=negotiating.pk).attraction_project == project


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({}, "signed_on"),  # never contacted
        ({"contacted_on": D(2023, 1, 1), "visited_on": D(2023, 2, 1)}, "signed_on"),  # no negotiation
    ],
    ids=["without any step", "without the negotiation"],
)
def test_signing_without_the_earlier_steps_is_refused_naming_signed_on(today, make_target, dates, field):
    target = make_target(**dates)
    with pytest.raises(ValidationError) as caught:
        sign(target, signed_on=D(2023, 6, 1), **MONEY)
    assert field in caught.value.message_dict
    assert not AttractionProject.objects.exists()
    target.refresh_from_db()
    assert target.signed_on is None


def test_signing_before_the_negotiation_began_is_refused_and_the_same_day_is_allowed(today, negotiating):
    with pytest.raises(ValidationError) as caught:
        sign(negotiating, signed_on=D(2023, 2, 28), **MONEY)
    assert "signed_on" in caught.value.message_dict
    assert sign(negotiating, signed_on=D(2023, 3, 1), **MONEY).signed_on == D(2023, 3, 1)


def test_signing_in_the_future_is_refused(today, negotiating):
    with pytest.raises(ValidationError) as caught:
        sign(negotiating, signed_on=today + datetime.timedelta(days=1), **MONEY)
    assert "signed_on" in caught.value.message_dict


def test_bad_project_fields_are_refused_each_by_name_with_nothing_written(today, negotiating):
    with pytest.raises(ValidationError) as caught:
        sign(
            negotiating,
            signed_on=D(2023, 6, 1),
            contract_amount=Decimal("100"),
            fixed_asset_investment=Decimal("200"),  # above the contract
        )
    assert "fixed_asset_investment" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        sign(negotiating, signed_on=D(2023, 6, 1))
    assert {"contract_amount", "fixed_asset_investment"} <= set(caught.value.message_dict)
    assert not AttractionProject.objects.exists()
    negotiating.refresh_from_db()
    assert negotiating.signed_on is None and negotiating.attraction_project is None


def test_a_project_name_taken_that_year_is_refused_naming_name(today, negotiating, make_attraction_project):
    make_attraction_project(name="负极材料项目", year=2023)
    with pytest.raises(ValidationError) as caught:
        sign(negotiating, signed_on=D(2023, 6, 1), name="负极材料项目", **MONEY)
    assert "name" in caught.value.message_dict


def test_an_unknown_project_field_is_a_type_error(today, negotiating):
    with pytest.raises(TypeError, match="year"):
        sign(negotiating, signed_on=D(2023, 6, 1), year=2020, **MONEY)


def test_a_failure_after_the_project_is_saved_leaves_nothing_written(today, negotiating, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(TargetEnterprise, "save", broken_save)
    with pytest.raises(RuntimeError):
        sign(negotiating, signed_on=D(2023, 6, 1), **MONEY)
    monkeypatch.undo()
    assert not AttractionProject.objects.exists()
    assert not AttractionProject.history.exists()
    negotiating.refresh_from_db()
    assert negotiating.signed_on is None and negotiating.attraction_project_id is None


def test_the_signing_user_is_recorded_in_both_histories(today, negotiating):
    clerk = get_user_model().objects.create_user("clerk")
    project = sign(negotiating, signed_on=D(2023, 6, 1), user=clerk, **MONEY)
    assert project.history.latest().history_user == clerk
    assert TargetEnterprise.objects.get(pk=negotiating.pk).history.latest().history_user == clerk


def test_the_signed_project_counts_in_the_years_figures(today, negotiating, make_year_plan):
    plan = make_year_plan(2023)
    before = quotas.report(plan, today)["attraction_count"].numerator
    sign(negotiating, signed_on=D(2023, 6, 1), **MONEY)
    assert quotas.report(plan, today)["attraction_count"].numerator == before + 1


# --- conversion per chain --------------------------------------------------------------------


def _target(make_target, link, steps: int, year: int = 2023, **fields):
    """A target that went through the first ``steps`` steps (contacted, visited, negotiating) in ``year``."""
    dates = dict(
        zip(("contacted_on", "visited_on", "negotiating_on"), (D(year, m, 1) for m in (1, 2, 3)), strict=False)
    )
    return make_target(link=link, **dict(list(dates.items())[:steps]), **fields)


@pytest.fixture
def two_chains(today, make_chain, make_link, make_target, key_industry):
    """Chain A: 5 targets in 2023 — one not contacted, one visited, three negotiating of which two
    signed (2023-04-01, 2023-05-01) and one of those started (2023-06-30) — plus one signed in 2022.
    Chain B: none."""
    a = make_chain(name="A产业链", industries=[key_industry])
    b = make_chain(name="B产业链")
    link = make_link(chain=a)
    _target(make_target, link, 0)
    _target(make_target, link, 2)
    _target(make_target, link, 3)
    first = sign(_target(make_target, link, 3), signed_on=D(2023, 4, 1), **MONEY)
    sign(_target(make_target, link, 3), signed_on=D(2023, 5, 1), **MONEY)
    first.started_on = D(2023, 6, 30)
    first.full_clean()
    first.save()
    sign(_target(make_target, link, 3, year=2022), signed_on=D(2022, 12, 31), **MONEY)
    return a, b


def test_conversion_counts_each_chains_funnel_for_the_year(two_chains):
    a, b = two_chains
    lines = quotas.chain_conversion(2023, D(2023, 6, 30))
    assert [(line.chain, line.targets, line.negotiating, line.signed, line.started) for line in lines] == [
        ("A产业链", 5, 3, 2, 1),
        ("B产业链", 0, 0, 0, 0),
    ]
    first = lines[0]
    assert (first.negotiating_rate, first.signing_rate, first.start_rate) == (
        Decimal("0.6000"),
        Decimal("0.4000"),
        Decimal("0.5000"),
    )
    assert lines[1].negotiating_rate is None and lines[1].start_rate is None


def test_conversion_as_of_a_day_counts_what_had_happened_by_that_day(two_chains):
    # The day before the second signing and the start: one signed, none started.
    line = quotas.chain_conversion(2023, D(2023, 4, 30))[0]
    assert (line.targets, line.negotiating, line.signed, line.started) == (5, 3, 1, 0)
    line = quotas.chain_conversion(2023, D(2023, 6, 29))[0]
    assert (line.signed, line.started) == (2, 0)
    line = quotas.chain_conversion(2023, D(2023, 2, 28))[0]  # before any negotiation
    assert (line.negotiating, line.signed) == (0, 0)


def test_a_target_signed_in_an_earlier_year_counts_in_that_years_funnel(two_chains, make_year_plan):
    line = quotas.chain_conversion(make_year_plan(2022), D(2022, 12, 31))[0]
    # Then: the 2022 target signed; the 2023 ones not contacted yet (but on the list).
    assert (line.targets, line.negotiating, line.signed) == (6, 1, 1)


def test_conversion_takes_one_query_whatever_the_number_of_chains(
    two_chains, make_chain, make_link, make_target, django_assert_num_queries
):
    # One grouped, conditional count over chains, links and the targets in play (their
    # projects asked about by key).
    with django_assert_num_queries(1):
        assert len(quotas.chain_conversion(2023, D(2023, 6, 30))) == 2
    for _ in range(3):
        _target(make_target, make_link(chain=make_chain()), 3)
    with django_assert_num_queries(1):
        assert len(quotas.chain_conversion(2023, D(2023, 6, 30))) == 5


def test_conversion_joins_the_targets_in_play_only_and_no_attraction_project(two_chains):
    # A join of every target and its project made the query look up a project for each target
    # of every year: at a city's size most of the dashboard's time.
    with CaptureQueriesContext(connection) as queries:
        quotas.chain_conversion(2023, D(2023, 6, 30))
    (sql,) = [query["sql"] for query in queries.captured_queries]
    project = connection.ops.quote_name(AttractionProject._meta.db_table)
    target = connection.ops.quote_name(TargetEnterprise._meta.db_table)
    assert f"JOIN {project}" not in sql
    joined = sql.split(f"JOIN {target}", 1)[1].split("GROUP BY", 1)[0]
    assert "signed_on" in joined.split(" ON ", 1)[1]  # the condition of being in play is the join's


@pytest.mark.django_db(transaction=True)
def test_two_clerks_signing_at_once_make_one_project(today, negotiating):
    """On PostgreSQL, where rows are locked (SQLite locks the whole database for a write)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    barrier = threading.Barrier(2)
    outcomes = []

    def clerk(name: str) -> None:
        try:
            barrier.wait()
            outcomes.append(sign(negotiating, signed_on=D(2023, 6, 1), name=name, **MONEY))
        except AlreadySigned as refused:
            outcomes.append(refused)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(f"项目{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadySigned", "AttractionProject"]
    assert AttractionProject.objects.count() == 1
