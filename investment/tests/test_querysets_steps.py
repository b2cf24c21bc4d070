"""Every model with dated steps (``jiaxian.steps.DatedSteps``) answers "which step on day D"
the same way for one record in Python (its method) and for a list in the database (its
queryset's annotation and its filter on the dates): the three are built from the one
declaration, and this holds them to it for each model, on every shape of record its
declaration allows, on each step's day and the day before."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

import pytest

from investment.models import AttractionProject, TargetEnterprise
from jiaxian.steps import DatedSteps
from projects.models import BondReserve

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime.date(2023, 1, 10)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class StepsOf:
    """How one model exposes its declaration: the ``DatedSteps`` attribute, the method of one
    record, the queryset's annotating and filtering methods and the annotation's name, and the
    fixture that builds an unsaved record (with its dates) for the test."""

    model: type
    declaration: str
    method: str
    annotate: str
    annotation: str
    in_step: str
    builder: str


MODELS = [
    StepsOf(
        AttractionProject, "STAGES", "stage_on", "with_stage", "stage_as_of", "in_stage", "build_attraction_project"
    ),
    StepsOf(TargetEnterprise, "STEPS", "stage_on", "with_stage", "stage_as_of", "in_stage", "build_target"),
    StepsOf(BondReserve, "STEPS", "status_on", "with_status", "status_as_of", "in_status", "build_bond_reserve"),
]


@pytest.fixture
def build_target(make_link, build_attraction_project):
    """An unsaved target; a signed one gets the attraction project its signing would create
    (the database refuses one without the other)."""
    link = make_link()
    numbers = itertools.count(1)

    def build(**dates) -> TargetEnterprise:
        target = TargetEnterprise(link=link, company=f"目标企业{next(numbers)}", **dates)
        if target.signed_on is not None:
            project = build_attraction_project(signed_on=target.signed_on)
            project.save()
            target.attraction_project = project
        return target

    return build


def shapes(steps: DatedSteps, required: set[str]) -> list[dict[str, datetime.date]]:
    """The dates of every record a clerk can enter: the path dated up to each step (on days
    apart, and all on one day), each of them also ended; the fields the model requires are
    always dated."""
    fields = steps.fields
    least = max((i + 1 for i, field in enumerate(fields) if field in required), default=0)
    dated = []
    for reached in range(least, len(fields) + 1):
        dated.append({field: FIRST_DAY + 20 * i * DAY for i, field in enumerate(fields[:reached])})
        if reached > 1:
            dated.append(dict.fromkeys(fields[:reached], FIRST_DAY))
    if steps.ended_by is not None:
        ended_on = FIRST_DAY + 20 * len(fields) * DAY
        dated += [{**dates, steps.ended_by[0]: max([*dates.values(), ended_on])} for dates in dated if dates]
    return dated


@pytest.fixture(params=MODELS, ids=lambda of: of.model.__name__)
def records(request):
    of: StepsOf = request.param
    steps: DatedSteps = getattr(of.model, of.declaration)
    required = {field for field in steps.date_fields if not of.model._meta.get_field(field).null}
    build = request.getfixturevalue(of.builder)
    made = []
    for dates in shapes(steps, required):
        record = build(**dates)
        record.save()
        made.append(record)
    days = sorted(
        {day + offset for r in made for f in steps.date_fields if (day := getattr(r, f)) for offset in (-DAY, 0 * DAY)}
    )
    return of, steps, made, [*days, datetime.date(2030, 1, 1)]


def test_the_records_reach_every_step_of_the_declaration(records):
    # Without this, the agreement below could pass on records that never reach a step.
    of, steps, made, days = records
    seen = {getattr(record, of.method)(day) for record in made for day in days}
    assert {str(step) if step is not None else None for step in seen} == {
        *steps.values,
        *([None] if steps.before is None else []),
    }


def test_the_method_and_the_annotation_agree_on_every_day(records):
    of, _steps, made, days = records
    for day in days:
        annotated = dict(getattr(of.model.objects, of.annotate)(day).values_list("pk", of.annotation))
        assert annotated == {record.pk: getattr(record, of.method)(day) for record in made}, day


def test_the_filter_on_the_dates_agrees_with_the_method_on_every_day(records):
    of, steps, made, days = records
    for day in days:
        for step in steps.values:
            found = set(getattr(of.model.objects, of.in_step)(step, day).values_list("pk", flat=True))
            assert found == {record.pk for record in made if getattr(record, of.method)(day) == step}, (day, step)


def test_the_model_and_its_queryset_share_one_declaration():
    for of in MODELS:
        queryset_class = type(of.model.objects.all())
        assert getattr(of.model, of.declaration) is getattr(queryset_class, of.declaration), of.model
