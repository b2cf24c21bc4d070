"""``jiaxian.bulk.stored``: the stored records an import reads, built from their rows, are the
instances Django's ``from_db`` would give, deferred fields included."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from jiaxian import bulk
from projects.models import BondReserve

pytestmark = pytest.mark.django_db


def values(record) -> dict:
    return {field.attname: getattr(record, field.attname) for field in type(record)._meta.concrete_fields}


def test_the_records_are_those_of_the_orm_without_their_deferred_fields(make_bond_reserve):
    made = [make_bond_reserve(name=f"储备{n}") for n in range(3)]
    queryset = BondReserve.objects.filter(pk__in=[r.pk for r in made]).order_by("name")
    with CaptureQueriesContext(connection) as queries:
        records = bulk.stored(queryset, ["created_at", "updated_at"])
    assert len(queries) == 1 and "created_at" not in queries[0]["sql"]
    assert all(not record._state.adding and record._state.db == "default" for record in records)
    assert [record.get_deferred_fields() for record in records] == [{"created_at", "updated_at"}] * 3
    expected = [values(record) for record in queryset]
    assert [values(record) for record in records] == expected  # the deferred ones load on use
    assert records[0].sector.name == made[0].sector.name


def test_a_model_with_init_receivers_is_read_through_its_init(make_bond_reserve):
    make_bond_reserve()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=BondReserve)
    try:
        records = bulk.stored(BondReserve.objects.all(), ["created_at"])
    finally:
        post_init.disconnect(receiver, sender=BondReserve)
    assert seen == records and records[0].get_deferred_fields() == {"created_at"}
