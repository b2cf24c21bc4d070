"""``manage.py bench_quotas``: one JSON line from a small fill, both sides agreeing in a fixed
number of queries, records valid under the models' rules, and the refusals that keep it off
real data."""

from __future__ import annotations

import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from investment import quotas
from investment.bench.data import synthetic
from investment.models import AttractionProject
from projects.models import AnnualListing, BondReserve, KeyProject

pytestmark = pytest.mark.django_db

KEYS = {"rows", "vendor", "report_ms", "raw_sql_ms", "ratio", "queries"}


@pytest.fixture
def debug(settings):
    """pytest-django runs the tests with DEBUG off; the command needs it on."""
    settings.DEBUG = True


def bench(rows=200, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("bench_quotas", rows=rows, runs=2, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int, int, int]:
    """The synthetic records: attraction projects, key projects, their listings, reserves."""
    return (
        synthetic(AttractionProject).count(),
        synthetic(KeyProject).count(),
        AnnualListing.objects.filter(project__in=synthetic(KeyProject).values("pk")).count(),
        synthetic(BondReserve).count(),
    )


def test_prints_one_json_line_of_times_and_at_most_five_queries(debug):
    out, _err = bench()
    lines = out.splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) == KEYS
    assert result["rows"] == 200
    assert result["vendor"] in {"sqlite", "postgresql"}
    assert result["queries"] <= 5
    assert result["report_ms"] > 0 and result["raw_sql_ms"] > 0
    assert result["ratio"] > 0


def test_fills_the_ledgers_with_records_that_pass_full_clean(debug):
    bench()
    attraction, key_projects, listings, reserves = counts()
    assert (attraction, key_projects, reserves) == (200, 20, 20)
    assert listings >= key_projects
    for model in (AttractionProject, KeyProject, AnnualListing, BondReserve):
        for record in model.objects.all():
            record.full_clean()


def test_the_figures_of_both_sides_agree_on_every_ledger(debug):
    _out, err = bench(rows=1_000, verbosity=2)
    figures = json.loads(err.split("Figures of 2023 as of 2023-06-30: ", 1)[1].splitlines()[0])
    # The fill gives every ledger records in the benchmarked year, so each comparison means something.
    counted = ("key_projects", "bond_reserves", "signed", "big", "key_industry", "started", "in_production")
    assert all(int(figures[key]) > 0 for key in counted), figures
    # The year's completed investment too: the fill makes the key projects' monthly progress.
    assert D(figures["key_project_progress"]) > 0, figures


def test_a_completed_investment_that_disagrees_with_the_statement_is_an_error(debug, monkeypatch):
    # The report summing the first month only: the statement's completed investment tells.
    original = quotas.year_progress_reports
    monkeypatch.setattr(
        quotas, "year_progress_reports", lambda plan, as_of: original(plan, as_of).filter(month__month=1)
    )
    with pytest.raises(CommandError, match="disagree.*'key_project_progress'"):
        bench(rows=1_000)


def test_a_report_that_disagrees_with_the_statement_is_an_error(debug, monkeypatch):
    monkeypatch.setattr(quotas, "big_project_condition", lambda plan: Q(contract_amount__gte=0))
    with pytest.raises(CommandError, match="disagree.*'big'"):
        bench()


def test_a_second_run_with_fresh_replaces_the_records_instead_of_adding_to_them(debug):
    _out, first = bench(verbosity=2)
    before = counts()
    _out, second = bench(fresh=True, verbosity=2)
    assert counts() == before
    # Same seed, same records: the same figures.
    assert first.splitlines()[-1] == second.splitlines()[-1]


def test_a_second_run_without_fresh_reuses_records_of_the_same_size_and_refuses_another(debug):
    bench()
    before = counts()
    _out, err = bench()
    assert "Reusing" in err
    assert counts() == before
    with pytest.raises(CommandError, match="--fresh"):
        bench(rows=300)


def test_delete_removes_only_the_synthetic_records_and_the_links_to_them(debug, make_attraction_project):
    bench()
    synthetic_key_project = synthetic(KeyProject).first()
    real = make_attraction_project(name="bench-but-real", key_project=synthetic_key_project)
    out, _err = bench(delete=True)
    assert "Deleted" in out
    assert counts() == (0, 0, 0, 0)
    assert list(AttractionProject.objects.values_list("pk", "key_project")) == [(real.pk, None)]


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        bench()
    assert counts() == (0, 0, 0, 0)


def test_refuses_a_database_with_real_records_unless_forced(debug, make_attraction_project):
    make_attraction_project(name="bench-lower-case-is-a-real-name")
    with pytest.raises(CommandError, match="--force"):
        bench()
    assert counts() == (0, 0, 0, 0)
    out, _err = bench(force=True)
    assert set(json.loads(out)) == KEYS
