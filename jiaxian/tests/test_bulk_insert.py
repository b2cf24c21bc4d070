"""``bulk.create``: records written in bulk (on PostgreSQL by COPY, with keys taken from the
sequence first) read back exactly as they were, history rows included, and leave the table's
keys where the next ordinary save expects them."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from jiaxian import bulk
from projects.models import BondReserve

# What COPY's text format must escape (tab, newline, backslash, its null marker) and what the
# ledgers hold (Chinese, full-width punctuation, quotes).
AWKWARD = ["郏县\t城区", "第一行\n第二行", "C:\\路径\\", "\\N", "「引号」'单'\"双\"", "  前后空格  ", "回车\r结尾"]


@pytest.fixture
def reserves(build_bond_reserve):
    return [
        build_bond_reserve(
            name=name,
            owner=f"项目单位{number}",
            total_investment=Decimal("20000.5") + number,
            bond_demand=Decimal("10000.25"),
            submitted_on=datetime.date(2023, 4, number + 1) if number % 2 else None,
            project_code=f"2023-411025-48-01-{number:06d}" if number % 3 else None,
        )
        for number, name in enumerate(AWKWARD)
    ]


def stored(record: BondReserve) -> dict:
    return {field.attname: getattr(record, field.attname) for field in BondReserve._meta.concrete_fields}


def test_created_records_read_back_as_they_were_written(reserves, admin_user):
    bulk.create(BondReserve, reserves, admin_user)
    assert all(reserve.pk for reserve in reserves)
    by_key = {reserve.pk: reserve for reserve in BondReserve.objects.all()}
    assert sorted(by_key) == sorted(reserve.pk for reserve in reserves)
    for reserve in reserves:
        assert stored(by_key[reserve.pk]) == stored(reserve)


def test_each_created_record_has_one_history_row_of_its_values_and_user(reserves, admin_user):
    bulk.create(BondReserve, reserves, admin_user)
    rows = {row.id: row for row in BondReserve.history.all()}
    assert sorted(rows) == sorted(reserve.pk for reserve in reserves)
    for reserve in reserves:
        row = rows[reserve.pk]
        assert (row.history_type, row.history_user, row.history_change_reason) == ("+", admin_user, None)
        assert (row.name, row.owner, row.total_investment, row.submitted_on, row.project_code) == (
            reserve.name,
            reserve.owner,
            reserve.total_investment,
            reserve.submitted_on,
            reserve.project_code,
        )
        assert row.created_at == reserve.created_at and row.version == reserve.version


def test_a_record_saved_after_a_bulk_create_gets_a_key_of_its_own(reserves, make_bond_reserve):
    bulk.create(BondReserve, reserves)
    later = make_bond_reserve(name="之后保存的项目")
    assert later.pk not in {reserve.pk for reserve in reserves}
    assert BondReserve.objects.count() == len(reserves) + 1


def test_a_clash_the_database_refuses_is_djangos_integrity_error(build_bond_reserve):
    code = "2023-411025-48-01-000001"
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.create(BondReserve, [build_bond_reserve(project_code=code), build_bond_reserve(project_code=code)])
    assert not BondReserve.objects.exists()
