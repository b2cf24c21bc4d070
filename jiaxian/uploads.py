"""What an uploaded file is, decided by its content and never by its name or the browser's
type; what it may be (``ACCEPTED``); and, for an image, its thumbnail and the day it was taken.

``inspect(data)`` answers an ``Inspected`` or raises ``Refused`` with one sentence for the
clerk. What is read, by kind:

- images (JPEG, PNG, WebP) by their magic bytes, then by Pillow restricted to that one format.
  The image's size is read from its header and checked against ``max_pixels`` before anything is
  decoded, and Pillow's own ``DecompressionBombWarning`` is an error here (by default it only
  warns up to twice its limit). The whole image is then decoded once (a damaged one is
  refused), its EXIF capture date read and a thumbnail of at most ``THUMBNAIL_PX`` re-encoded
  as JPEG: what the browser shows is always our own encoding, never the uploaded bytes.
- PDF by ``%PDF-`` at the start and ``%%EOF`` near the end (a cut-off upload is refused).
- the zip-based kinds by their members, from the central directory under the import's limits
  (``jiaxian.importing.Limits``: nothing is inflated): ``word/document.xml`` is a Word document
  (.docx), ``xl/workbook.xml`` an Excel workbook (.xlsx), ``OFD.xml`` an OFD document. One with
  macros (``vbaProject.bin``) is refused: a site photo's document has no use for code.
- the old Office kinds by the stream names of their compound file (olefile):
  ``WordDocument`` is .doc, ``Workbook`` (or BIFF5's ``Book``) .xls; macros (``Macros``,
  ``_VBA_PROJECT_CUR``) and encrypted packages are refused.

Anything else (an executable named .jpg, a GIF, a text file) is refused, naming what is
accepted. Domain-free: the records that files belong to are the apps' business.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import secrets
import warnings
import zipfile
from dataclasses import dataclass
from typing import cast

import olefile  # type: ignore[import-untyped]  # it ships no type hints
from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from .importing import Limits, UnreadableFile

THUMBNAIL_PX = 400
# The storage alias in settings.STORAGES: private, never served under a public URL.
STORAGE_ALIAS = "attachments"


@dataclass(frozen=True)
class FileType:
    """One accepted kind of file: its code, the name a clerk knows, the type a download is
    served with, and the extension its stored copy gets."""

    code: str
    label: str
    content_type: str
    extension: str
    image: bool = False


ACCEPTED = {
    t.code: t
    for t in (
        FileType("jpeg", "JPEG", "image/jpeg", "jpg", image=True),
        FileType("png", "PNG", "image/png", "png", image=True),
        FileType("webp", "WebP", "image/webp", "webp", image=True),
        FileType("pdf", "PDF", "application/pdf", "pdf"),
        FileType(
            "docx", "Word (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
        ),
        FileType("xlsx", "Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        FileType("doc", "Word (.doc)", "application/msword", "doc"),
        FileType("xls", "Excel (.xls)", "application/vnd.ms-excel", "xls"),
        FileType("ofd", "OFD", "application/ofd", "ofd"),
    )
}

_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# EXIF: the Exif sub-IFD, its DateTimeOriginal and DateTimeDigitized; IFD0's DateTime.
_EXIF_IFD, _DATE_ORIGINAL, _DATE_DIGITIZED, _DATE_TIME = 0x8769, 0x9003, 0x9004, 0x0132


class Refused(ValueError):
    """The file is not kept; the message (one sentence, in the user's language) says why."""


@dataclass(frozen=True)
class Inspected:
    """What ``inspect`` found: the type, the size in bytes, the SHA-256 (hex), and for an image
    its pixel size, the EXIF capture date (None without one) and its JPEG thumbnail."""

    type: FileType
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    taken_on: datetime.date | None = None
    thumbnail: bytes | None = None


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_MB * 1024 * 1024


def accepted_names() -> str:
    return "、".join(t.label for t in ACCEPTED.values())


def check_size(size: int) -> None:
    """``Refused`` when a file of ``size`` bytes is over the limit (``settings.ATTACHMENT_MAX_MB``)."""
    if size > max_bytes():
        raise Refused(
            gettext("The file is %(size)s MB, more than the %(limit)s MB an attachment may have.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": settings.ATTACHMENT_MAX_MB}
        )


def read(uploaded) -> bytes:
    """The bytes of an uploaded file (Django's ``UploadedFile``), or ``Refused`` when it is over
    the limit: asked of its size first, so that an oversized file is never read into memory."""
    check_size(uploaded.size or 0)
    uploaded.seek(0)
    return uploaded.read()


def inspect(data: bytes, *, max_pixels: int | None = None) -> Inspected:
    """What ``data`` is (see the module), or ``Refused``. The size limit is
    ``settings.ATTACHMENT_MAX_MB``, the pixel limit ``max_pixels`` (default
    ``settings.ATTACHMENT_MAX_PIXELS``)."""
    check_size(len(data))
    if not data:
        raise Refused(gettext("The file is empty."))
    code = _sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    if ACCEPTED[code].image:
        return _inspect_image(data, code, digest, max_pixels or settings.ATTACHMENT_MAX_PIXELS)
    return Inspected(ACCEPTED[code], len(data), digest)


def _not_accepted() -> Refused:
    return Refused(
        gettext("The content of this file is not an accepted kind (%(kinds)s), whatever its name says.")
        % {"kinds": accepted_names()}
    )


def _sniff(data: bytes) -> str:
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-1024:]:
            raise Refused(gettext("The PDF file is incomplete (it has no end): upload it again."))
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(_CFB_MAGIC):
        return _sniff_compound(data)
    raise _not_accepted()


def _macros() -> Refused:
    return Refused(gettext("The document contains macros; save it without macros (.docx, .xlsx) and upload it again."))


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            Limits.from_settings().check_members(archive)
            names = set(archive.namelist())
    except UnreadableFile as error:
        raise Refused(str(error)) from error
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise Refused(gettext("The file is a damaged zip archive.")) from error
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _macros()
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    raise _not_accepted()


def _sniff_compound(data: bytes) -> str:
    try:
        with olefile.OleFileIO(data) as compound:
            streams = {"/".join(entry) for entry in compound.listdir(streams=True, storages=True)}
    except Exception as error:  # olefile raises many kinds (OSError, IndexError, struct.error) on damage
        raise Refused(gettext("The file is a damaged Office document.")) from error
    if "EncryptedPackage" in streams:
        raise Refused(gettext("The document is protected by a password; save it without one and upload it again."))
    if {"Macros", "_VBA_PROJECT_CUR"} & {name.split("/")[0] for name in streams}:
        raise _macros()
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    raise _not_accepted()


def _inspect_image(data: bytes, code: str, digest: str, max_pixels: int) -> Inspected:
    with warnings.catch_warnings():
        # Pillow's own guard, as an error at its first level (it only warns up to twice its limit).
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[code]])
            # The size is the header's: nothing is decoded before this check.
            width, height = image.size
            if width * height > max_pixels:
                raise Refused(
                    gettext(
                        "The image is %(width)s × %(height)s pixels, more than the %(limit)s megapixels an attachment "
                        "may have."
                    )
                    % {"width": width, "height": height, "limit": f"{max_pixels / 1_000_000:g}"}
                )
            image.load()
            taken_on = _exif_date(image)
            thumbnail = _thumbnail(ImageOps.exif_transpose(image))
        except Refused:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise Refused(
                gettext("The image declares more pixels than an attachment may have (a decompression bomb).")
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise Refused(gettext("The image is damaged and cannot be read.")) from error
    return Inspected(ACCEPTED[code], len(data), digest, width, height, taken_on, thumbnail)


def _exif_date(image) -> datetime.date | None:
    """The EXIF capture date (DateTimeOriginal, else DateTimeDigitized, else DateTime), None
    without one or when it is not a real date."""
    exif = image.getexif()
    sub = exif.get_ifd(_EXIF_IFD)
    for value in (sub.get(_DATE_ORIGINAL), sub.get(_DATE_DIGITIZED), exif.get(_DATE_TIME)):
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        if isinstance(value, str):
            try:
                return datetime.datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S").date()
            except ValueError:
                continue
    return None


def _thumbnail(image) -> bytes:
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    if image.mode in ("RGBA", "LA", "P"):
        # Transparency on white, as a page shows it.
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


# --- storage -----------------------------------------------------------------------------------


class _AttachmentStorage(LazyObject):
    """``storages["attachments"]``, looked up when first used and again after the setting
    changes (a test's storage in a temporary folder), as Django's ``default_storage`` is."""

    def _setup(self) -> None:
        self._wrapped = storages[STORAGE_ALIAS]


_storage = _AttachmentStorage()


@receiver(setting_changed)
def _storage_changed(setting: str, **kwargs) -> None:
    if setting in ("STORAGES", "MEDIA_ROOT"):
        _storage._wrapped = empty  # type: ignore[assignment]  # LazyObject's "not set up yet"


def storage() -> Storage:
    """The private storage of attachments (``settings.STORAGES["attachments"]``)."""
    return cast(Storage, _storage)


def new_name(extension: str, *, suffix: str = "") -> str:
    """A stored file's name: a random key (never the uploaded name), in one of 256 folders."""
    key = secrets.token_hex(16)
    return f"attachments/{key[:2]}/{key}{suffix}.{extension}"
