"""The demo's drawn attachments (``projects.demo_files``, ``fixtures/attachments/plan.json``):
every entry attaches to a demo record, photos carry their dates in EXIF, and the reserves show a
complete and an incomplete set of documents."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings

from jiaxian import uploads
from projects import attachments, demo_files
from projects.choices import BOND_RESERVE_DOCUMENTS
from projects.models import Attachment, BondReserve

PLAN = Path(settings.BASE_DIR) / "fixtures" / "attachments" / "plan.json"


def test_the_demo_plan_attaches_every_entry_to_its_record(demo_data, attachments_in_a_temporary_folder):
    entries = json.loads(PLAN.read_text(encoding="utf-8"))
    assert demo_files.attach_plan(PLAN) == len(entries) == Attachment.objects.count()
    for entry, attachment in zip(entries, Attachment.objects.order_by("pk"), strict=True):
        assert attachments.record_type_of(attachment.record) == entry["record_type"]
        assert attachment.record.pk == entry["record_id"]
        dated = datetime.date.fromisoformat(entry["date"])
        # A photo's date is read from its EXIF data; a document's is the entry's.
        assert attachment.taken_on == dated
        assert attachment.created_at.date() == dated
        assert bool(attachment.thumbnail) == (entry["draw"] == "photo")
        assert uploads.inspect(attachment.file.open("rb").read()).type.content_type == attachment.content_type
    first, second = BondReserve.objects.get(pk=12), BondReserve.objects.get(pk=6)
    assert all(attachments.present_kinds(first, BOND_RESERVE_DOCUMENTS).values())
    assert attachments.present_kinds(second, BOND_RESERVE_DOCUMENTS) == {
        "has_implementation_plan": True,
        "has_financial_evaluation": True,
        "has_legal_opinion": False,
    }


def test_a_drawn_photo_and_page_are_what_they_claim():
    photo = uploads.inspect(demo_files.site_photo("Site", datetime.date(2023, 5, 1), seed=1))
    assert (photo.type.content_type, photo.width, photo.height, photo.taken_on) == (
        "image/jpeg",
        1024,
        768,
        datetime.date(2023, 5, 1),
    )
    page = uploads.inspect(demo_files.one_page_pdf("Plan", ["a line"]))
    assert page.type.content_type == "application/pdf" and page.thumbnail is None
