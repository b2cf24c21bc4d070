"""Filing (归档) a quarterly compliance export or a monthly circular: the one way a ``Filing``
or a ``CircularFiling`` is made (``file_export`` numbers the versions for both)."""

from __future__ import annotations

import base64
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from jiaxian import periods
from jiaxian.exporting import BaseExporter, Format, write_export

from .circular import CircularExporter
from .exporters import QuarterlyExporter
from .models import CircularFiling, FiledExport, Filing

# Two clerks filing the same period at once both read the same last version; the unique
# constraint refuses the second insert, which then tries the next number.
ATTEMPTS = 3

F = TypeVar("F", bound=FiledExport)


def file_quarter(year: int, quarter: int, format: Format | str, user) -> Filing:
    """Export ``quarter`` of ``year`` in ``format`` and file it as the next version (1, 2, …
    for that year, quarter and format) by ``user``; earlier versions stay as they were.

    A year without a plan is ``projects.models.NoPlan``; a bad quarter or format a ValueError.
    """
    # Known on the day it is filed: recomputed as known on that day, the quarter gives these figures.
    known_on = periods.today()
    exporter = QuarterlyExporter.for_quarter(year, quarter, Format(format), known_on=known_on)
    return file_export(Filing, exporter, user, known_on, year=year, quarter=quarter)


def file_circular(year: int, month: int, format: Format | str, user) -> CircularFiling:
    """Export the circular of ``month`` of ``year`` in ``format`` and file it as the next version
    (1, 2, … for that year, month and format) by ``user``; earlier versions stay as they were.

    A year without a plan is ``projects.models.NoPlan``; a bad month or format a ValueError.
    """
    exporter = CircularExporter.for_month(year, month, Format(format))
    return file_export(CircularFiling, exporter, user, periods.today(), year=year, month=int(month))


def file_export(model: type[F], exporter: BaseExporter, user, known_on, **period) -> F:
    """Write ``exporter`` and keep its bytes as a new ``model`` of ``period`` (its
    ``PERIOD_FIELDS``) and the exporter's format, numbered after the last version."""
    assert set(period) == set(model.PERIOD_FIELDS), f"{model.__name__} is filed per {model.PERIOD_FIELDS}"
    written = write_export(exporter)
    try:
        content = written.path.read_bytes()
    finally:
        written.path.unlink()
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                last = model.objects.filter(**period, format=exporter.format).aggregate(last=Max("version"))["last"]
                filing = model(
                    **period,
                    format=exporter.format.value,
                    version=(last or 0) + 1,
                    content=content,
                    sha256=written.sha256,
                    size=len(content),
                    filed_by=user,
                    known_on=known_on,
                )
                filing.save()
                return filing
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def download_response(filing: FiledExport) -> HttpResponse:
    """The filed bytes as a download, with the checksum a client can verify: ``X-Content-SHA256``
    (hex) and ``Digest: sha-256=<base64>`` (RFC 3230) both carry the recorded SHA-256."""
    response = HttpResponse(filing.content_bytes(), content_type=filing.content_type)
    response["Content-Disposition"] = content_disposition_header(True, filing.filename)
    response["X-Content-SHA256"] = filing.sha256
    response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(filing.sha256)).decode("ascii")
    response["Cache-Control"] = "private, no-store"
    return response
