"""``investment.bench.data``: the benchmarks' one builder makes the parts beyond the quota
report's ledgers (milestones, monthly progress, chains) valid under the models' rules, without
changing the ledgers' records, and ``delete_synthetic`` removes them all."""

from __future__ import annotations

import datetime
import io
import random

import pytest
from django.core.management.base import OutputWrapper

from investment.bench import pages, timing
from investment.bench.data import Filler, delete_synthetic, pipeline_steps, standard_milestones, synthetic
from investment.models import AttractionProject, ChainLink, IndustrialChain, LocalEnterprise, TargetEnterprise
from projects.models import AnnualListing, BondReserve, KeyProject, Milestone, Problem, ProgressReport

pytestmark = pytest.mark.django_db

STAMPS = {"created_at", "updated_at"}
PARTS = (Milestone, ProgressReport, Problem, IndustrialChain, ChainLink, LocalEnterprise, TargetEnterprise)


def fill(rows: int = 100, **parts) -> None:
    Filler(random.Random(7), rows, timing.silent, **parts).fill()


def fields(model) -> list[str]:
    """The fields the builder chooses (not the key, not the times of writing)."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key and f.name not in STAMPS]


def ledgers() -> list[tuple]:
    """The quota report's ledgers' synthetic records, in name order."""
    return [
        tuple(synthetic(model).order_by("name").values_list(*fields(model)))
        for model in (KeyProject, BondReserve, AttractionProject)
    ]


def test_every_part_is_made_and_passes_full_clean():
    fill(milestones=True, monthly_progress=True, problems=True, chains=2)
    assert Milestone.objects.count() == 8 * synthetic(KeyProject).count()
    assert ProgressReport.objects.exists()
    # Some still open with a due date (overdue once it passes), some resolved.
    assert Problem.objects.filter(resolved_on__isnull=True, due_on__isnull=False).exists()
    assert Problem.objects.filter(resolved_on__isnull=False).exists()
    assert IndustrialChain.objects.count() == 2 and ChainLink.objects.count() == 2 * 3 * 4
    signed = TargetEnterprise.objects.filter(signed_on__isnull=False)
    assert signed.exists() and TargetEnterprise.objects.filter(contacted_on__isnull=True).exists()
    assert all(target.attraction_project.link_id == target.link_id for target in signed)
    assert AttractionProject.objects.filter(link__isnull=False).count() > signed.count()
    for model in (*PARTS, AttractionProject, KeyProject, AnnualListing):
        for record in model.objects.all():
            record.full_clean()


def test_the_extra_parts_leave_the_ledgers_records_as_they_were():
    fill()
    plain = ledgers()
    delete_synthetic()
    fill(milestones=True, monthly_progress=True, problems=True, chains=2)
    key_projects, reserves, attraction = ledgers()
    # The attraction projects gain a link, and nothing else.
    link = fields(AttractionProject).index("link_id")
    assert any(row[link] for row in attraction)
    attraction = tuple(row[:link] + (None,) + row[link + 1 :] for row in attraction)
    assert plain == [key_projects, reserves, attraction]


def test_problems_added_to_a_database_filled_without_them_are_those_of_a_fresh_fill():
    fill(rows=300, problems=True)
    fresh = list(Problem.objects.order_by("project__name", "description").values_list(*fields(Problem)))
    Problem.objects.all().delete()
    pages.fill_missing_problems(timing.Console(OutputWrapper(io.StringIO()), 0), 300, 7)
    assert fresh and list(Problem.objects.order_by("project__name", "description").values_list(*fields(Problem))) == (
        fresh
    )


def test_delete_removes_every_part():
    fill(milestones=True, monthly_progress=True, problems=True, chains=2)
    delete_synthetic()
    assert not any(model.objects.exists() for model in (*PARTS, KeyProject, BondReserve, AttractionProject))


def test_the_shared_shapes():
    start, finish, done = datetime.date(2023, 3, 1), datetime.date(2024, 3, 1), None
    rows = dict(
        (kind, (planned, done_on))
        for kind, planned, done_on in standard_milestones(start, finish, done, 2023, datetime.date(2023, 6, 30))
    )
    assert rows["approval"] == (datetime.date(2022, 10, 2),) * 2 and rows["start"] == (start, start)
    assert rows["main_structure"] == (datetime.date(2023, 7, 25), None)  # not due by 30 June
    assert rows["completion"] == rows["production"] == (None, None)
    assert pipeline_steps("visited", start) == {"contacted_on": start, "visited_on": datetime.date(2023, 3, 25)}
    assert pipeline_steps("signed", start)["contacted_on"] == start - datetime.timedelta(days=75)
