"""Every model with dated steps (``jiaxian.steps.DatedSteps``) answers "which step on day D"
the same way for one record in Python (its method) and for a list in the database (its
queryset's annotation and its filter on the dates): the three are built from the one
declaration, and this holds them to it for each model, on every shape of record its
declaration allows, on each step's day and the day before; and on records made by hand, by
name, as a clerk enters them (attraction projects and bond reserves)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

import pytest

from investment.choices import AttractionProjectStageChoices as Stage
from investment.models import AttractionProject, TargetEnterprise
from jiaxian.steps import DatedSteps
from projects.choices import BondReserveStatusChoices as Status
from projects.models import BondReserve
from projects.tests.helpers import RESERVES, as_of_dates

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


# --- records by name -------------------------------------------------------------------------------

d = datetime.date

# Attraction projects of every stage a clerk can enter, by name: their stage dates.
PROJECTS = {
    "negotiating": {},
    "signed": {"signed_on": d(2023, 3, 1)},
    "started": {"signed_on": d(2023, 3, 1), "started_on": d(2023, 5, 1)},
    "in-production": {"signed_on": d(2023, 3, 1), "started_on": d(2023, 5, 1), "in_production_on": d(2023, 9, 1)},
    "all-one-day": {"signed_on": d(2023, 4, 1), "started_on": d(2023, 4, 1), "in_production_on": d(2023, 4, 1)},
    "signed-late": {"signed_on": d(2023, 12, 31)},
}


@dataclass(frozen=True)
class Named:
    """Hand-made records of one model (``cases``: name → fields, made by the fixture ``maker``),
    the steps they must reach over their dates, a day to load them annotated, and a step the
    filter does not know (with the words of its error, if checked)."""

    of: StepsOf
    cases: dict
    maker: str
    reached: set
    steps: list
    load_on: datetime.date
    unknown: str
    unknown_error: str | None = None

    def __str__(self) -> str:
        return self.of.model.__name__


STEPS_OF = {of.model: of for of in MODELS}
NAMED = [
    Named(
        STEPS_OF[AttractionProject],
        PROJECTS,
        "make_attraction_project",
        reached=set(Stage.values),
        steps=Stage.values,
        load_on=d(2023, 5, 1),
        unknown="abandoned",
        unknown_error="unknown stage",
    ),
    Named(
        STEPS_OF[BondReserve],
        RESERVES,
        "make_bond_reserve",
        reached={None, *Status.values},
        steps=Status.values,
        load_on=d(2023, 3, 10),
        unknown="pending",
    ),
]
# Each model's records on each of their dates, the day before it, and a day after them all.
DAYS = [pytest.param(named, day, id=f"{named}-{day}") for named in NAMED for day in as_of_dates(named.cases)]


@pytest.fixture
def named_records(request, named: Named) -> list:
    make = request.getfixturevalue(named.maker)
    return [make(name=name, **fields) for name, fields in named.cases.items()]


def step_of(named: Named, record, day: datetime.date):
    return getattr(record, named.of.method)(day)


@pytest.mark.parametrize("named", NAMED, ids=str)
def test_the_named_records_reach_every_step_over_their_dates(named, named_records):
    # Without this, the agreement tests below could pass on records that never reach a step.
    seen = {step_of(named, record, day) for record in named_records for day in as_of_dates(named.cases)}
    assert seen == named.reached


@pytest.mark.parametrize(("named", "as_of"), DAYS)
def test_the_annotation_of_the_named_records_equals_the_method(named, named_records, as_of):
    queryset = getattr(named.of.model.objects, named.of.annotate)(as_of)
    annotated = dict(queryset.values_list("name", named.of.annotation))
    assert annotated == {record.name: step_of(named, record, as_of) for record in named_records}


@pytest.mark.parametrize("named", NAMED, ids=str)
def test_the_named_records_annotated_load_as_instances(named, named_records):
    queryset = getattr(named.of.model.objects, named.of.annotate)(named.load_on)
    loaded = {record.name: getattr(record, named.of.annotation) for record in queryset}
    assert loaded == {record.name: step_of(named, record, named.load_on) for record in named_records}


@pytest.mark.parametrize(("named", "as_of"), DAYS)
def test_the_filter_returns_exactly_the_named_records_in_that_step(named, named_records, as_of):
    for step in named.steps:
        found = set(getattr(named.of.model.objects, named.of.in_step)(step, as_of).values_list("name", flat=True))
        assert found == {record.name for record in named_records if step_of(named, record, as_of) == step}, step


@pytest.mark.parametrize("named", NAMED, ids=str)
def test_the_filter_on_an_unknown_step_is_a_value_error(named, db):
    with pytest.raises(ValueError, match=named.unknown_error):
        getattr(named.of.model.objects, named.of.in_step)(named.unknown, d(2023, 6, 30))
