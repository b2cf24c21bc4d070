"""The demo's attachments (``manage.py load_demo``): site photos and documents drawn here, never
real ones, attached through ``projects.attachments.attach`` as a clerk's upload would be, so that
the demo shows thumbnails, a bond reserve with its three documents and one with a document
missing, and a reply with its evidence.

What goes where is data, ``fixtures/attachments/plan.json``: one entry a file, naming its record
by the API's record type and the record's id in the fixtures, its kind, title, file name and
date, and what to draw (``photo`` or ``pdf``). A photo carries its date in its EXIF data, as a
camera's does, and the entry gives no date of its own for it, so the demo's photo dates are read
from the files. Each is uploaded, as far as the records say, on its entry's day."""

from __future__ import annotations

import datetime
import io
import json
import random
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from . import attachments
from .models import Attachment

# EXIF tags: the sub-IFD of the camera's settings, and its DateTimeOriginal.
_EXIF_IFD, _DATE_ORIGINAL = 0x8769, 0x9003


def site_photo(caption: str, taken_on: datetime.date, seed: int) -> bytes:
    """A drawn "photo" of a building site (sky, ground, a building rising, a crane), 1024×768
    JPEG with ``taken_on`` as its EXIF capture date."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1024, 768), (135 + rng.randrange(40), 180 + rng.randrange(40), 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, 1024, 768), fill=(150 + rng.randrange(30), 120, 80))
    floors = 3 + rng.randrange(8)
    left = 200 + rng.randrange(300)
    for floor in range(floors):
        top = 560 - (floor + 1) * 40
        draw.rectangle((left, top, left + 260, top + 38), fill=(190, 190, 185), outline=(90, 90, 90))
        for window in range(5):
            x = left + 15 + window * 50
            draw.rectangle((x, top + 10, x + 25, top + 28), fill=(70, 110, 150))
    mast = left + 330
    draw.rectangle((mast, 120, mast + 16, 560), fill=(230, 170, 20))
    draw.rectangle((mast - 260, 110, mast + 140, 126), fill=(230, 170, 20))
    draw.line((mast - 200, 126, mast - 200, 300), fill=(60, 60, 60), width=3)
    draw.rectangle((20, 700, 1004, 750), fill=(255, 255, 255))
    draw.text((30, 712), f"{caption}  {taken_on.isoformat()}  (demo drawing)", fill=(0, 0, 0), font_size=24)
    exif = Image.Exif()
    exif.get_ifd(_EXIF_IFD)[_DATE_ORIGINAL] = taken_on.strftime("%Y:%m:%d 10:00:00")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def one_page_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with ``title`` and ``lines`` (drawn by Pillow, which writes PDF)."""
    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    draw.text((120, 140), title, fill=(0, 0, 0), font_size=48)
    for number, line in enumerate(lines):
        draw.text((120, 260 + number * 50), line, fill=(40, 40, 40), font_size=28)
    draw.text((120, 1620), "Jiaxian investment pipeline - demo document, generated", fill=(120, 120, 120), font_size=22)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150)
    return out.getvalue()


def attach_plan(plan: Path) -> int:
    """Attach every file of ``plan`` (see the module), all or none; the number attached."""
    entries = json.loads(plan.read_text(encoding="utf-8"))
    types = attachments.record_types()
    attached = 0
    with transaction.atomic():
        for number, entry in enumerate(entries):
            model = types.get(entry["record_type"])
            if model is None:
                raise ValidationError(f"{plan.name}, entry {number + 1}: no record type {entry['record_type']!r}")
            record = model._default_manager.get(pk=entry["record_id"])
            dated = datetime.date.fromisoformat(entry["date"])
            if entry["draw"] == "photo":
                data = site_photo(entry.get("caption", "Jiaxian site"), dated, seed=number)
                taken_on = None  # read from the photo's EXIF date, as for a camera's photo
            else:
                data = one_page_pdf(entry.get("caption", entry["title"]), entry.get("lines", []))
                taken_on = dated
            made = attachments.attach(
                record,
                [attachments.Upload(entry["file_name"], data)],
                kind=entry["kind"],
                title=entry["title"],
                taken_on=taken_on,
            )
            # Uploaded on the entry's day, as the demo's records were made in 2023: a past
            # quarter's export counts the documents uploaded by its end.
            uploaded = timezone.make_aware(datetime.datetime.combine(dated, datetime.time(17, 0)))
            Attachment.objects.filter(pk__in=[row.pk for row in made]).update(created_at=uploaded, updated_at=uploaded)
            attached += len(made)
    return attached
