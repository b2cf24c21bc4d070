"""Attachments in a real browser, on the demo data (issue 19): a department clerk opens May on the
monthly entry, follows a row's 上传, chooses two photos and a renamed executable at once and is
told which file was refused and why, with nothing kept; chooses the two photos again and is
back on the entry, where the row counts them; the key project's page shows them as thumbnails the
browser could load. A county leader sees and downloads them, and is offered no upload.
Screenshots in test-results/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import Page, expect

from projects.management.commands.load_demo import Command
from projects.models import Attachment, ProgressReport

from .test_browser_loop import make_groups, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(colour: str, date: str) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = date
    Image.new("RGB", (1600, 1200), colour).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_clerk_attaches_site_photos_to_a_month_and_sees_their_thumbnails(
    live_server, page: Page, demo, output_path, attachments_in_a_temporary_folder
):
    page.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)
    make_groups()
    Command().group_logins()
    department = get_user_model().objects.get(username="clerk").departments.get()
    report = (
        ProgressReport.objects.filter(month="2023-05-01", project__department=department)
        .order_by("project__name", "project_id")
        .select_related("project")
        .first()
    )
    shots, base = Path(output_path), live_server.url
    photos = [
        {"name": "东侧.jpg", "mimeType": "image/jpeg", "buffer": jpeg("green", "2023:05:21 09:00:00")},
        {"name": "西侧.jpg", "mimeType": "image/jpeg", "buffer": jpeg("orange", "2023:05:22 09:00:00")},
    ]
    disguised = {"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00" + b"\0" * 4096}

    sign_in(page, base, "clerk")
    page.goto(f"{base}/admin/progress/monthly/?year=2023&month=5")
    row = page.locator("#monthly-entry tbody tr", has_text=report.project.name)
    expect(row.locator("td.photos")).to_have_text("0 上传")
    row.locator("a.photo-upload").click()
    expect(page.locator("h1")).to_contain_text(report.project.name)
    page.set_input_files("input[name=file]", [*photos, disguised])
    page.click("input[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("照片.jpg")
    page.screenshot(path=shots / "attachments-refused.png", full_page=True)
    assert not Attachment.objects.exists()

    page.set_input_files("input[name=file]", photos)
    page.click("input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("2")
    assert "/admin/progress/monthly/" in page.url
    expect(page.locator("#monthly-entry tbody tr", has_text=report.project.name).locator("td.photos")).to_have_text(
        "2 上传"
    )
    assert sorted(report.attachments.values_list("original_name", "taken_on")) == [
        ("东侧.jpg", report.month.replace(day=21)),
        ("西侧.jpg", report.month.replace(day=22)),
    ]

    page.goto(f"{base}/admin/projects/keyproject/{report.project_id}/change/")
    thumbnails = page.locator(".attachments-block .attachment-photos img")
    expect(thumbnails).to_have_count(2)
    for index in range(2):
        thumbnails.nth(index).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumbnails.nth(index).element_handle()
        )
        assert thumbnails.nth(index).evaluate("img => img.naturalWidth") == 400
    page.locator(".attachments-block").screenshot(path=shots / "attachments-key-project.png")

    # A county leader sees and downloads; attaching is not theirs.
    sign_in(page, base, "leader")
    page.goto(f"{base}/admin/projects/keyproject/{report.project_id}/change/")
    expect(page.locator(".attachments-block .attachment-photos img")).to_have_count(2)
    expect(page.locator(".attachments-block a.addlink")).to_have_count(0)
    with page.expect_download() as download:
        page.goto(f"{base}/admin/projects/attachment/")
        page.locator("#result_list a", has_text="东侧").first.click()
        page.locator(".field-file_link a").first.click()
    assert download.value.suggested_filename == "东侧.jpg"
