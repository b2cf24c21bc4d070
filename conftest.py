"""Fixtures shared by the tests of every app: a fast password hasher, a frozen "today", and
small factories for the reference data and the three ledgers.

Each ledger has two factories: ``build_<ledger>(**fields)`` returns an unsaved record with
valid defaults (for the tests of ``full_clean``), ``make_<ledger>(**fields)`` builds one,
runs ``full_clean()`` on it (so that test data obeys the same rules as a clerk's) and saves
it. Any field can be overridden; unique codes and names are numbered.

``demo_data`` puts the demo data of ``fixtures/`` in a test's database, read from the files
once per test session.
"""

from __future__ import annotations

import datetime
import itertools
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializedObject
from django.db import connection, transaction
from django.db.models import Model

from investment.models import AttractionProject, ChainLink, IndustrialChain, LocalEnterprise, TargetEnterprise
from jiaxian import periods
from projects.choices import AnnualListingCategoryChoices, AreaKindChoices
from projects.models import (
    AnnualListing,
    Area,
    BondReserve,
    Department,
    Industry,
    KeyProject,
    PlanIndicator,
    Sector,
    YearPlan,
)

# The day tests freeze "today" at: the end of Q2 2023, the year the demo plan is for.
TODAY = datetime.date(2023, 6, 30)

_numbers = itertools.count(1)
M = TypeVar("M", bound=Model)


def _number() -> int:
    return next(_numbers)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """MD5 instead of PBKDF2: creating a superuser costs microseconds, not a tenth of a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def attachments_in_a_temporary_folder(tmp_path_factory):
    """Attached files go to a folder of the test run, never to the project's media/."""
    from django.conf import settings
    from django.test import override_settings

    folder = str(tmp_path_factory.mktemp("media"))
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}
    with override_settings(STORAGES={**settings.STORAGES, "attachments": storage}):
        yield folder


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Each test starts with no API request and no failed login counted (the throttles count in
    the cache, which outlives a test), so that no test is refused for what others did."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def today(monkeypatch) -> datetime.date:
    """Freeze ``jiaxian.periods.today()`` (which the models, the validation and the admin
    call) at ``TODAY`` and return that date."""
    monkeypatch.setattr(periods, "today", lambda: TODAY)
    return TODAY


# --- reference data ---------------------------------------------------------------------


def _saved(record: M) -> M:
    """``record`` validated as the admin and the API validate it (``full_clean``), then saved."""
    record.full_clean()
    record.save()
    return record


def _coded(model, prefix: str, fields: dict):
    number = _number()
    fields.setdefault("code", f"{prefix}{number:04d}")
    fields.setdefault("name", f"{prefix}-{number}")
    return _saved(model(**fields))


@pytest.fixture
def make_industry(db):
    def make(**fields) -> Industry:
        return _coded(Industry, "IND", fields)

    return make


@pytest.fixture
def make_area(db):
    def make(**fields) -> Area:
        fields.setdefault("kind", AreaKindChoices.TOWN)
        return _coded(Area, "AREA", fields)

    return make


@pytest.fixture
def make_department(db):
    def make(**fields) -> Department:
        return _coded(Department, "DEPT", fields)

    return make


@pytest.fixture
def make_sector(db):
    def make(**fields) -> Sector:
        return _coded(Sector, "SEC", fields)

    return make


@pytest.fixture
def key_industry(make_industry) -> Industry:
    return make_industry(name="硅基负极材料", is_key=True)


@pytest.fixture
def other_industry(make_industry) -> Industry:
    return make_industry(name="商贸物流", is_key=False)


@pytest.fixture
def area(make_area) -> Area:
    return make_area(name="城关镇")


@pytest.fixture
def department(make_department) -> Department:
    return make_department(name="县发展和改革委员会")


@pytest.fixture
def sector(make_sector) -> Sector:
    return make_sector(name="交通基础设施")


@pytest.fixture
def make_year_plan(db):
    """A saved plan of ``year`` with the default thresholds unless overridden."""

    def make(year: int = 2023, **fields) -> YearPlan:
        return _saved(YearPlan(year=year, **fields))

    return make


# --- key projects -----------------------------------------------------------------------


@pytest.fixture
def build_key_project(key_industry, area, department):
    def build(**fields) -> KeyProject:
        number = _number()
        fields.setdefault("name", f"重点项目{number}")
        fields.setdefault("owner", f"项目单位{number}")
        fields.setdefault("industry", key_industry)
        fields.setdefault("area", area)
        fields.setdefault("department", department)
        fields.setdefault("total_investment", Decimal("50000.00"))
        return KeyProject(**fields)

    return build


@pytest.fixture
def make_key_project(build_key_project):
    def make(**fields) -> KeyProject:
        return _saved(build_key_project(**fields))

    return make


@pytest.fixture
def build_listing(make_key_project):
    """An unsaved annual listing; a new key project is made for it unless one is given."""

    def build(**fields) -> AnnualListing:
        if "project" not in fields:
            fields["project"] = make_key_project()
        fields.setdefault("year", 2023)
        fields.setdefault("category", AnnualListingCategoryChoices.NEW_START)
        fields.setdefault("planned_investment", Decimal("10000.00"))
        fields.setdefault("listed_on", datetime.date(fields["year"], 2, 15))
        return AnnualListing(**fields)

    return build


@pytest.fixture
def make_listing(build_listing):
    def make(**fields) -> AnnualListing:
        return _saved(build_listing(**fields))

    return make


# --- the year plan's indicators ------------------------------------------------------------


@pytest.fixture
def make_indicator(department):
    """A saved indicator of the 2023 plan (made with default thresholds when missing): new
    market entities, at least 5000, cumulative, known monthly, unless overridden."""

    def make(**fields) -> PlanIndicator:
        if "plan" not in fields:
            fields["plan"] = YearPlan.objects.filter(year=2023).first() or _saved(YearPlan(year=2023))
        defaults = {
            "area": "market_entities",
            "name": f"新增市场主体{_number()}",
            "unit": "户",
            "target": Decimal("5000"),
            "department": department,
        }
        return _saved(PlanIndicator(**{**defaults, **fields}))

    return make


# --- special-bond reserves --------------------------------------------------------------


@pytest.fixture
def build_bond_reserve(department, area, sector):
    """An unsaved reserve of 2023: demand within total, coverage 1.25, reserved on 2023-03-01."""

    def build(**fields) -> BondReserve:
        number = _number()
        fields.setdefault("year", 2023)
        fields.setdefault("name", f"专项债项目{number}")
        fields.setdefault("owner", f"项目单位{number}")
        fields.setdefault("department", department)
        fields.setdefault("area", area)
        fields.setdefault("sector", sector)
        fields.setdefault("total_investment", Decimal("20000.00"))
        fields.setdefault("bond_demand", Decimal("10000.00"))
        fields.setdefault("capital_portion", Decimal("0.00"))
        fields.setdefault("expected_income", Decimal("15000.00"))
        fields.setdefault("principal_and_interest", Decimal("12000.00"))
        fields.setdefault("reserved_on", datetime.date(2023, 3, 1))
        return BondReserve(**fields)

    return build


@pytest.fixture
def make_bond_reserve(build_bond_reserve):
    def make(**fields) -> BondReserve:
        return _saved(build_bond_reserve(**fields))

    return make


# --- attraction projects ----------------------------------------------------------------


@pytest.fixture
def build_attraction_project(key_industry):
    """An unsaved attraction project of 2023 in a key industry, a 100-million project under
    the default plan (12,000 contract, 9,000 fixed assets), still negotiating."""

    def build(**fields) -> AttractionProject:
        number = _number()
        fields.setdefault("year", 2023)
        fields.setdefault("name", f"招商项目{number}")
        fields.setdefault("investor", f"投资方{number}")
        fields.setdefault("industry", key_industry)
        fields.setdefault("contract_amount", Decimal("12000.00"))
        fields.setdefault("fixed_asset_investment", Decimal("9000.00"))
        return AttractionProject(**fields)

    return build


@pytest.fixture
def make_attraction_project(build_attraction_project):
    def make(**fields) -> AttractionProject:
        return _saved(build_attraction_project(**fields))

    return make


# --- industrial chains (issue 8) ---------------------------------------------------------


@pytest.fixture
def make_chain(db):
    """A saved industrial chain; ``industries`` (a list) are set after saving."""

    def make(industries=(), **fields) -> IndustrialChain:
        fields.setdefault("name", f"产业链{_number()}")
        chain = _saved(IndustrialChain(**fields))
        chain.industries.set(industries)
        return chain

    return make


@pytest.fixture
def make_link(make_chain):
    """A saved chain link, upstream, numbered after the chain's others; a new chain unless given."""

    def make(**fields) -> ChainLink:
        if "chain" not in fields:
            fields["chain"] = make_chain()
        number = _number()
        fields.setdefault("name", f"环节{number}")
        fields.setdefault("position", "upstream")
        fields.setdefault("order", number)
        return _saved(ChainLink(**fields))

    return make


@pytest.fixture
def make_target(make_link):
    """A saved target enterprise, not contacted yet unless dates are given; a new link unless
    given. A signed target is made with ``investment.pipeline.sign``, not here."""

    def make(**fields) -> TargetEnterprise:
        if "link" not in fields:
            fields["link"] = make_link()
        fields.setdefault("company", f"目标企业{_number()}")
        return _saved(TargetEnterprise(**fields))

    return make


@pytest.fixture
def make_local_enterprise(make_link):
    def make(**fields) -> LocalEnterprise:
        if "link" not in fields:
            fields["link"] = make_link()
        fields.setdefault("company", f"本地企业{_number()}")
        return _saved(LocalEnterprise(**fields))

    return make


# --- admin ------------------------------------------------------------------------------


@pytest.fixture
def zh_admin_client(admin_client):
    """A superuser's client whose every request asks for Simplified Chinese."""
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return admin_client


# --- the demo data (fixtures/*.json) ------------------------------------------------------

DEMO_FIXTURES = sorted((Path(__file__).resolve().parent / "fixtures").glob("*.json"))


@pytest.fixture
def persona(db, department, make_department):
    """A user of a group of the data migrations, by the name of their role: ``leader``,
    ``bureau`` (bureau staff), ``clerk`` (a member of ``department``) or ``other clerk`` (of
    another department)."""
    from django.contrib.auth.models import Group, User

    from projects import access

    other = make_department(name="县住房和城乡建设局")

    def make(name: str) -> User:
        group = {
            "leader": access.LEADERS_GROUP,
            "bureau": access.BUREAU_STAFF_GROUP,
            "clerk": access.DEPARTMENT_STAFF_GROUP,
            "other clerk": access.DEPARTMENT_STAFF_GROUP,
        }[name]
        user = User.objects.create_user(name.replace(" ", "-"), password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        if name == "clerk":
            department.members.add(user)
        if name == "other clerk":
            other.members.add(user)
        return user

    return make


@pytest.fixture(scope="session")
def load_demo_records() -> Callable[[], None]:
    """A function that saves the demo data into the current database as ``loaddata
    fixtures/*.json`` would (raw saves: no history, the files' timestamps and versions; foreign
    keys checked, sequences reset; projects/tests/test_fixtures.py compares the two), in about a
    third of loaddata's time: the files are read and deserialised once per test session (once
    per xdist worker), and each record is saved with one INSERT (loaddata tries an UPDATE
    first), all in one transaction."""
    assert DEMO_FIXTURES, "no fixture files in fixtures/"
    records: list[DeserializedObject] = []
    for path in DEMO_FIXTURES:
        with path.open(encoding="utf-8") as fixture:
            records.extend(serializers.deserialize("json", fixture))
    models = list(dict.fromkeys(type(record.object) for record in records))
    # A record's save() forgets its many-to-many data (so that a second save cannot repeat it):
    # kept here, and set like loaddata sets it, for every test.
    many_to_many = [record.m2m_data or {} for record in records]

    def load() -> None:
        with transaction.atomic():
            for record, related in zip(records, many_to_many, strict=True):
                record.save(save_m2m=False, force_insert=True)
                for name, pks in related.items():
                    getattr(record.object, name).set(pks)
            connection.check_constraints(table_names=[model._meta.db_table for model in models])
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)

    return load


@pytest.fixture
def demo_data(db, load_demo_records) -> None:
    """The demo data in this test's database. The test's transaction (or, for a transactional
    test, the flush after it) takes it away again, so the next test starts as empty as ever; a
    test with a live server gets it committed (pytest-django makes its database transactional)."""
    load_demo_records()


# --- pytest-xdist (make test runs pytest -n auto) ------------------------------------------


def pytest_sessionstart(session):
    """Empty pytest-playwright's output folder (test-results/) once, in the main process, before
    any xdist worker starts. pytest-playwright empties it when a session's first test starts, and
    under xdist each worker is a session: a worker starting late would delete the screenshots of
    another's browser tests. (Each test writes into a folder of its own name, so the workers'
    files never collide.)"""
    output = session.config.getoption("--output", None)
    if output and not hasattr(session.config, "workerinput"):
        shutil.rmtree(output, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir():
    """pytest-playwright's fixture of this name, replaced: ``pytest_sessionstart`` above empties
    test-results/ once for all workers."""
