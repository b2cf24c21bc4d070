"""The demo data in ``fixtures/``: it loads in one go, it reaches (or, for the key-industry
share, deliberately misses) the 2023 plan's targets, and every record in it is valid.

The files are written by ``fixtures/build_demo.py``; regenerate them with the command in its
docstring rather than editing the JSON by hand.
"""

import datetime
import json
import runpy
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from investment import quotas
from investment.models import AttractionProject
from jiaxian import periods
from jiaxian.models import ratio
from projects.models import AnnualListing, BondReserve, KeyProject, Sector, YearPlan

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"
FIXTURES = sorted(FIXTURE_DIR.glob("*.json"))
YEAR_END = datetime.date(2023, 12, 31)
MID_YEAR = datetime.date(2023, 6, 30)


def total(queryset, field):
    return queryset.aggregate(total=Sum(field))["total"] or Decimal("0")


@pytest.mark.django_db
def test_demo_data_reaches_the_2023_plan(demo_data):
    plan = YearPlan.objects.get(year=2023)
    defaults = YearPlan(year=2023)
    for field in YearPlan._meta.concrete_fields:
        if field.name not in ("id", "created_at", "updated_at"):
            assert getattr(plan, field.attname) == getattr(defaults, field.attname), field.name

    # Key projects: more than 60 on the 2023 list, worth more than 3,000,000 万元.
    listed = KeyProject.objects.listed_for(2023)
    assert listed.count() >= max(plan.key_project_count_target, 62)
    assert total(listed, "total_investment") >= plan.key_project_investment_target
    listings_2023 = AnnualListing.objects.filter(year=2023)
    assert all(
        datetime.date(2023, 2, 1) <= d <= datetime.date(2023, 2, 28)
        for d in listings_2023.values_list("listed_on", flat=True)
    )
    assert set(listings_2023.values_list("category", flat=True)) == {
        "preliminary",
        "new_start",
        "continuing",
        "completion",
    }
    assert set(listed.values_list("nature", flat=True)) == {"new", "expansion", "renovation", "second_phase"}
    phases = listed.filter(nature__in=["second_phase", "expansion"], predecessor__isnull=False)
    assert phases.count() >= 4
    for project in phases:
        assert project.predecessor.completed_on is not None or project.predecessor.started_on is not None
    continuing = listed.filter(listings__year=2023, listings__category="continuing")
    assert continuing.exists()
    for project in continuing:
        assert project.listings.filter(year=2022).exists(), project.name
        assert project.started_on.year in (2021, 2022), project.name
    assert not listed.filter(listings__year=2023, listings__category="preliminary", started_on__isnull=False).exists()
    assert listed.filter(listings__year=2023, listings__category="completion", completed_on__year=2023).exists()
    for listing in listings_2023.select_related("project"):
        assert listing.planned_investment <= listing.project.total_investment

    # Bond reserves: more than 80 in the pool at the year end, asking more than 700,000 万元.
    reserves = BondReserve.objects.filter(year=2023)
    pool = reserves.in_pool(YEAR_END)
    assert reserves.count() == 84
    assert pool.count() == 81 >= plan.bond_reserve_count_target
    assert total(pool, "bond_demand") >= plan.bond_reserve_demand_target
    assert reserves.in_status("rejected", YEAR_END).count() == 3
    assert set(reserves.values_list("sector", flat=True)) == set(Sector.objects.values_list("pk", flat=True))
    assert Sector.objects.count() == 10
    statuses = Counter(r.status_on(YEAR_END) for r in reserves)
    assert set(statuses) == {"reserved", "submitted", "approved", "issued", "rejected"}
    warnings = [r for r in reserves if r.coverage_warning(plan)]
    assert 6 <= len(warnings) <= 10
    assert all(r.coverage_ratio >= plan.coverage_refusal_ratio for r in reserves)

    # Attraction projects: 60 signed in 2023 and 4 still negotiating.
    projects = AttractionProject.objects.filter(year=2023)
    signed = projects.signed_by(YEAR_END)
    assert signed.count() == 60 == plan.attraction_count_target
    assert projects.filter(signed_on__isnull=True).count() == 4
    quarters = Counter((d.month - 1) // 3 + 1 for d in signed.values_list("signed_on", flat=True))
    assert all(12 <= quarters[q] <= 18 for q in (1, 2, 3, 4)), quarters

    big = quotas.with_big_project(signed).filter(big_project=True).count()
    key_industry = signed.filter(industry__is_key=True).count()
    started = signed.filter(started_on__lte=YEAR_END).count()
    assert (big, key_industry, started) == (43, 47, 49)
    assert ratio(big, 60) == Decimal("0.7167") >= plan.attraction_big_share_target
    assert ratio(key_industry, 60) == Decimal("0.7833") < plan.attraction_key_industry_share_target
    assert ratio(started, 60) == Decimal("0.8167") >= plan.attraction_started_share_target
    assert signed.filter(started_on__lte=YEAR_END, in_production_on__lte=YEAR_END).exists()
    # The 100-million-yuan rule at its edge: equal counts, a cent less does not.
    edge = {(p.contract_amount, p.fixed_asset_investment): p.is_big_project(plan) for p in signed}
    assert edge[(Decimal("10000.00"), Decimal("8000.00"))] is True
    assert edge[(Decimal("10000.00"), Decimal("7999.99"))] is False
    assert signed.filter(key_project__isnull=False).exists()
    assert signed.filter(predecessor__isnull=False).exists()
    assert len(set(projects.values_list("investor_origin", flat=True))) >= 3


@pytest.mark.django_db
def test_every_demo_object_passes_full_clean(demo_data, monkeypatch):
    # Every date in the demo lies in 2021–2023: the records are valid from the year's last
    # day on (and so today, whatever the clock says later).
    monkeypatch.setattr(periods, "today", lambda: YEAR_END)
    entries = [entry for path in FIXTURES for entry in json.loads(path.read_text(encoding="utf-8"))]
    failures = []
    for entry in entries:
        model = apps.get_model(entry["model"])
        obj = model._default_manager.get(pk=entry["pk"])
        try:
            obj.full_clean()
        except ValidationError as error:
            failures.append(f"{entry['model']} pk={entry['pk']} {obj}: {error.message_dict}")
    assert failures == []
    assert len(entries) > 300


def test_fixture_files_match_their_generator():
    """The JSON is exactly what build_demo.py writes: nobody edited it by hand, and the
    generator was rerun after the last change to it (or to the models it serialises)."""
    generated = runpy.run_path(str(FIXTURE_DIR / "build_demo.py"))["render"]()
    assert sorted(generated) == [path.name for path in FIXTURES]
    for name, text in generated.items():
        assert (FIXTURE_DIR / name).read_text(encoding="utf-8") == text, (
            f"fixtures/{name} differs from what fixtures/build_demo.py writes; regenerate it "
            "with the command in that file's docstring"
        )


def snapshot() -> dict[str, list[str]]:
    """Every row of every table (history, many-to-many and Django's own included), as text, in a
    stable order; the id of a many-to-many row left out (a sequence may have moved on)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.values()
        skip = model._meta.pk.attname if model._meta.auto_created else None
        tables[model._meta.label] = sorted(repr(sorted((k, v) for k, v in row.items() if k != skip)) for row in rows)
    return tables


@pytest.mark.django_db
def test_the_suites_demo_data_is_exactly_what_loaddata_loads(load_demo_records):
    """conftest.py's ``demo_data`` saves the session's records itself, for speed: this holds it
    to ``manage.py loaddata fixtures/*.json`` (what ``load_demo`` runs), row for row."""
    assert FIXTURES, f"no fixture files in {FIXTURE_DIR}"
    with transaction.atomic():
        load_demo_records()
        ours = snapshot()
        transaction.set_rollback(True)
    assert not YearPlan.objects.exists()

    call_command("loaddata", *(str(path) for path in FIXTURES), verbosity=0)

    assert snapshot() == ours
    assert len(ours["projects.KeyProject"]) == KeyProject.objects.count() > 60
