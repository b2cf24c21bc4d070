"""The version claim (``jiaxian.versions``): one record and a batch in one statement."""

import pytest
from django.db import transaction

from jiaxian import versions
from projects.models import Industry


@pytest.fixture
def industries(make_industry):
    return [make_industry() for _ in range(3)]


def test_claim_holds_a_record_at_the_version_read(industries):
    record = industries[0]
    with transaction.atomic():
        versions.claim(record, 1)
    record.refresh_from_db()
    assert record.version == 1  # the save that follows raises it, not the claim


def test_claim_of_a_stale_version_names_the_stored_one(industries):
    record = industries[0]
    record.save()  # now at version 2
    with pytest.raises(versions.StaleVersion) as raised, transaction.atomic():
        versions.claim(record, 1)
    assert (raised.value.expected, raised.value.current) == (1, 2)


def test_claim_of_a_deleted_record_has_no_current_version(industries):
    record = industries[0]
    Industry.objects.filter(pk=record.pk).delete()
    with pytest.raises(versions.StaleVersion) as raised, transaction.atomic():
        versions.claim(record, 1)
    assert raised.value.current is None


def test_claim_many_raises_the_claimed_and_returns_the_stale(industries, django_assert_num_queries):
    first, second, third = industries
    second.save()  # version 2: a client that read version 1 is stale
    with transaction.atomic(), django_assert_num_queries(1):
        stale = versions.claim_many(Industry, {first.pk: 1, second.pk: 1, third.pk: 1, 999_999: 1})
    assert stale == {second.pk, 999_999}
    stored = dict(Industry.objects.values_list("pk", "version"))
    assert stored == {first.pk: 2, second.pk: 2, third.pk: 2}


def test_claim_many_of_nothing_runs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert versions.claim_many(Industry, {}) == set()


def test_claim_many_splits_a_large_batch_into_chunks(industries, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(versions, "CHUNK", 2)
    with transaction.atomic(), django_assert_num_queries(2):
        stale = versions.claim_many(Industry, {record.pk: 1 for record in industries})
    assert stale == set()
    assert set(Industry.objects.values_list("version", flat=True)) == {2}
