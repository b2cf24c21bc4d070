"""What an attachment is, by its content (``jiaxian/uploads.py``): every accepted kind told apart
whatever its name, hostile and damaged files refused with a sentence, the size and pixel limits,
the decompression bomb, the EXIF date and the thumbnail."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from jiaxian import uploads
from jiaxian.uploads import Refused, inspect


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


XLS = Path(__file__).resolve().parents[2] / "investment" / "tests" / "files" / "merged-header.xls"


def image(fmt: str, size=(640, 480), mode="RGB", exif_date: str | None = None) -> bytes:
    picture = Image.new(mode, size, "orange")
    out = io.BytesIO()
    kwargs = {}
    if exif_date:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = exif_date
        kwargs["exif"] = exif
    picture.save(out, fmt, **kwargs)
    return out.getvalue()


def zipped(*members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in members:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def compound(*streams: str) -> bytes:
    """A minimal compound file (the container of .doc and .xls) holding empty streams of these
    names: a header, one FAT sector and one directory sector, as MS-CFB lays them out."""
    sector = 512
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 0, 1, 1, 0, 4096, end, 0)
    struct.pack_into("<I", header, 68, end)  # no mini FAT
    struct.pack_into("<I", header, 72, 0)
    struct.pack_into("<I", header, 76, 0)  # the FAT is sector 0
    for index in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * index, free)
    fat = bytearray(sector)
    struct.pack_into("<II", fat, 0, fat_sector, end)  # sector 0: the FAT; sector 1: the directory
    for index in range(2, 128):
        struct.pack_into("<I", fat, 4 * index, free)

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, free, right, child)
        struct.pack_into("<II", raw, 116, end, 0)
        return bytes(raw)

    entries = [entry("Root Entry", 5, child=1 if streams else free)]
    for index, name in enumerate(streams):
        following = index + 2 if index + 1 < len(streams) else free
        entries.append(entry(name, 2, right=following))
    directory = b"".join(entries).ljust(sector, b"\0")
    for _ in range((len(entries) * 128 - 1) // sector):
        raise AssertionError("one directory sector holds four entries")
    return bytes(header) + bytes(fat) + directory


def pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(out, "PDF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "code", "content_type"),
    [
        (image("JPEG"), "jpeg", "image/jpeg"),
        (image("PNG"), "png", "image/png"),
        (image("WEBP"), "webp", "image/webp"),
        (pdf(), "pdf", "application/pdf"),
        (zipped("word/document.xml"), "docx", uploads.ACCEPTED["docx"].content_type),
        (zipped("xl/workbook.xml"), "xlsx", uploads.ACCEPTED["xlsx"].content_type),
        (zipped("OFD.xml", "Doc_0/Document.xml"), "ofd", "application/ofd"),
        (compound("WordDocument"), "doc", "application/msword"),
        (XLS.read_bytes(), "xls", "application/vnd.ms-excel"),
        (compound("Book"), "xls", "application/vnd.ms-excel"),
    ],
    ids=["jpeg", "png", "webp", "pdf", "docx", "xlsx", "ofd", "doc", "xls", "xls-biff5"],
)
def test_each_accepted_kind_is_told_by_its_content(data, code, content_type):
    found = inspect(data)
    assert (found.type.code, found.type.content_type, found.size) == (code, content_type, len(data))
    assert found.type.image == (code in {"jpeg", "png", "webp"})
    assert (found.thumbnail is not None) == found.type.image


def test_a_png_named_pdf_is_a_png_and_a_real_sha256():
    import hashlib

    data = image("PNG")
    found = inspect(data)  # the name plays no part: inspect never sees it
    assert found.type.code == "png"
    assert found.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"MZ\x90\x00\x03" + b"\0" * 200, "not an accepted kind"),  # a Windows executable named .jpg
        (b"\x7fELF\x02\x01\x01" + b"\0" * 200, "not an accepted kind"),
        (b"GIF89a" + b"\0" * 100, "not an accepted kind"),
        ("施工现场照片说明".encode(), "not an accepted kind"),
        (zipped("readme.txt"), "not an accepted kind"),
        (zipped("xl/workbook.xml", "xl/vbaProject.bin"), "macros"),
        (compound("WordDocument", "Macros"), "macros"),
        (compound("EncryptedPackage"), "password"),
        (compound("Contents"), "not an accepted kind"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, "damaged Office"),
        (b"PK\x03\x04" + b"\0" * 100, "damaged zip"),
        (pdf()[:-40], "incomplete"),
        (image("JPEG")[:300], "damaged"),
        (b"", "empty"),
    ],
    ids=[
        "exe",
        "elf",
        "gif",
        "text",
        "zip-of-text",
        "xlsm",
        "doc-macros",
        "encrypted",
        "unknown-compound",
        "damaged-compound",
        "damaged-zip",
        "cut-pdf",
        "cut-jpeg",
        "empty",
    ],
)
def test_hostile_and_damaged_files_are_refused_with_a_reason(data, words):
    with pytest.raises(Refused, match=words):
        inspect(data)


def test_the_size_limit(settings):
    settings.ATTACHMENT_MAX_MB = 1
    inspect(b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 20) + b"\n%%EOF\n")
    with pytest.raises(Refused, match=r"1\.0 MB, more than the 1 MB"):
        inspect(b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n")


def test_a_zip_bomb_member_is_refused_from_its_directory(settings):
    settings.IMPORT_MAX_MEMBER_MB = 1
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (3 * 1024 * 1024))
    assert len(out.getvalue()) < 20_000
    with pytest.raises(Refused, match="word/document.xml"):
        inspect(out.getvalue())


def test_a_decompression_bomb_is_refused_before_decoding(settings):
    """A PNG whose header declares 8,000 × 8,000 pixels, a few kB on disk: refused from its
    header by the setting, and by Pillow's own warning turned into an error when the setting is
    above Pillow's limit."""
    data = image("PNG", size=(8_000, 8_000), mode="1")
    assert len(data) < 100_000
    with pytest.raises(Refused, match="8000 × 8000 pixels, more than the 50 megapixels"):
        inspect(data)
    # Above Pillow's own limit (89 megapixels) its warning is an error here, whatever the setting.
    with pytest.raises(Refused, match="decompression bomb"):
        inspect(image("PNG", size=(10_000, 10_000), mode="1"), max_pixels=10**12)


def test_the_exif_date_and_the_thumbnail():
    found = inspect(image("JPEG", size=(1600, 1200), exif_date="2023:05:20 09:30:00"))
    assert found.taken_on == datetime.date(2023, 5, 20)
    assert (found.width, found.height) == (1600, 1200)
    thumb = Image.open(io.BytesIO(found.thumbnail))
    assert (thumb.format, thumb.size) == ("JPEG", (400, 300))
    assert inspect(image("JPEG", exif_date="not a date")).taken_on is None
    assert inspect(image("PNG", mode="RGBA")).taken_on is None
    assert Image.open(io.BytesIO(inspect(image("PNG", mode="RGBA")).thumbnail)).mode == "RGB"


def test_stored_names_are_random_keys():
    first, second = uploads.new_name("jpg"), uploads.new_name("jpg")
    assert first != second
    assert first.startswith("attachments/") and first.endswith(".jpg")
    assert uploads.new_name("jpg", suffix=".thumb").endswith(".thumb.jpg")
