"""Filings: versions, the SHA-256 of the bytes kept, and nothing that can change or delete one."""

from __future__ import annotations

import hashlib

import pytest

from investment.filings import file_quarter
from investment.models import Filing, FilingImmutable


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user("clerk", password="x")


@pytest.fixture
def filing(make_year_plan, clerk):
    make_year_plan(2023)
    return file_quarter(2023, 2, "xlsx", clerk)


def test_a_filing_keeps_the_bytes_their_sha256_and_size(filing, clerk):
    content = Filing.objects.get(pk=filing.pk).content_bytes()
    assert hashlib.sha256(content).hexdigest() == filing.sha256
    assert filing.size == len(content)
    assert (filing.year, filing.quarter, filing.format, filing.version, filing.filed_by) == (2023, 2, "xlsx", 1, clerk)


def test_filing_the_same_quarter_again_makes_version_2_and_leaves_version_1_unchanged(filing, clerk):
    before = Filing.objects.values().get(pk=filing.pk)
    second = file_quarter(2023, 2, "xlsx", clerk)
    assert second.version == 2
    assert Filing.objects.values().get(pk=filing.pk) == before
    assert file_quarter(2023, 2, "csv", clerk).version == 1  # each format counts its own versions


def test_saving_an_existing_filing_is_refused(filing):
    filing.sha256 = "0" * 64
    with pytest.raises(FilingImmutable):
        filing.save()
    assert Filing.objects.get(pk=filing.pk).sha256 != "0" * 64


def test_deleting_a_filing_is_refused(filing):
    with pytest.raises(FilingImmutable):
        filing.delete()
    assert Filing.objects.filter(pk=filing.pk).exists()


@pytest.mark.parametrize(
    "operation",
    [
        lambda: Filing.objects.update(sha256="0" * 64),
        lambda: Filing.objects.filter(year=2023).update(version=9),
        lambda: Filing.objects.all().delete(),
        lambda: Filing.objects.filter(year=2023).delete(),
    ],
)
def test_bulk_updates_and_deletes_are_refused(filing, operation):
    with pytest.raises(FilingImmutable):
        operation()
    assert Filing.objects.get(pk=filing.pk).version == 1


def test_a_user_who_filed_cannot_be_deleted(filing, clerk):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        clerk.delete()
