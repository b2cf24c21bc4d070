"""Drive the API with the client that openapi-python-client generated from its schema
(.ci/client-check generates it and runs this script): what an API user's script does, on the
demo data of 2023. Each step asserts what the API documents (docs/api.md); any failure exits
non-zero.

Usage: python .ci/client_check.py BASE_URL TOKEN, with the generated ``jiaxian_client`` importable.
"""

from __future__ import annotations

import datetime
import hashlib
import sys
import zipfile
from io import BytesIO

from jiaxian_client import AuthenticatedClient
from jiaxian_client.api.attachments import (
    attachments_create,
    attachments_download_retrieve,
    attachments_list,
    attachments_thumbnail_retrieve,
)
from jiaxian_client.api.attraction_projects import (
    attraction_projects_create,
    attraction_projects_list,
    attraction_projects_partial_update,
)
from jiaxian_client.api.exports import exports_quarterly_retrieve
from jiaxian_client.api.industries import industries_list
from jiaxian_client.api.key_projects import key_projects_list
from jiaxian_client.api.reports import reports_quotas_retrieve
from jiaxian_client.models import (
    Attachment,
    AttachmentKindEnum,
    AttachmentsListRecordType,
    AttachmentUploadRequest,
    AttractionProject,
    AttractionProjectRequest,
    AttractionProjectsListOrderingItem,
    Error,
    ExportsQuarterlyRetrieveFormat,
    PaginatedAttachmentList,
    PaginatedAttractionProjectList,
    PaginatedIndustryList,
    PaginatedKeyProjectList,
    PatchedAttractionProjectRequest,
    QuotaReport,
    RecordTypeEnum,
)
from jiaxian_client.types import File
from PIL import Image


def step(text: str) -> None:
    print(f"-- {text}", flush=True)


def main(base_url: str, token: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=token, prefix="Token", raise_on_unexpected_status=True)

    step("a list with a filter and an ordering, two a page")
    largest_first = AttractionProjectsListOrderingItem("-contract_amount")
    first = attraction_projects_list.sync(
        client=client, year=2023, contract_amount_min="50000.00", ordering=[largest_first], page_size=2
    )
    assert isinstance(first, PaginatedAttractionProjectList), first
    assert first.count > 2 and len(first.results) == 2, (first.count, len(first.results))
    assert all(project.year == 2023 for project in first.results)
    amounts = [project.contract_amount for project in first.results]
    assert amounts == sorted(amounts, key=float, reverse=True), amounts

    step("the next page")
    second = attraction_projects_list.sync(
        client=client, year=2023, contract_amount_min="50000.00", ordering=[largest_first], page_size=2, page=2
    )
    assert isinstance(second, PaginatedAttractionProjectList), second
    assert second.previous and not {p.id for p in first.results} & {p.id for p in second.results}

    step("create an attraction project")
    industries = industries_list.sync(client=client, page_size=1)
    assert isinstance(industries, PaginatedIndustryList), industries
    created = attraction_projects_create.sync(
        client=client,
        body=AttractionProjectRequest(
            year=2023,
            name="客户端测试项目",
            investor="某公司",
            industry=industries.results[0].id,
            contract_amount="12000.00",
            fixed_asset_investment="8000.00",
        ),
    )
    assert isinstance(created, AttractionProject), created
    assert created.version == 1 and created.contract_amount == "12000.00", created

    step("update it with If-Match")
    updated = attraction_projects_partial_update.sync(
        created.id,
        client=client,
        body=PatchedAttractionProjectRequest(funds_in_place="3000.00"),
        if_match=f'"{created.version}"',
    )
    assert isinstance(updated, AttractionProject), updated
    assert updated.version == 2 and updated.funds_in_place == "3000.00", updated

    step("a stale If-Match, and a stale version in the body: 412, nothing changed")
    for stale in (
        {"if_match": '"1"', "body": PatchedAttractionProjectRequest(notes="stale")},
        {"body": PatchedAttractionProjectRequest(notes="stale", version=1)},
    ):
        refused = attraction_projects_partial_update.sync_detailed(created.id, client=client, **stale)
        assert refused.status_code == 412, (refused.status_code, refused.content)
        assert isinstance(refused.parsed, Error) and refused.parsed.detail, refused.parsed

    step("the quota report")
    report = reports_quotas_retrieve.sync(client=client, year=2023, as_of=datetime.date(2023, 6, 30))
    assert isinstance(report, QuotaReport), report
    assert report.as_of == datetime.date(2023, 6, 30) and report.targets, report
    assert {target.key for target in report.targets} >= {"key_project_count", "attraction_big_share"}

    step("download the quarter's export, as a workbook and as a zip of CSV")
    for format_ in ExportsQuarterlyRetrieveFormat:
        answer = exports_quarterly_retrieve.sync_detailed(client=client, year=2023, quarter=2, format_=format_)
        assert answer.status_code == 200 and isinstance(answer.parsed, File), (answer.status_code, answer.parsed)
        content = answer.parsed.payload.read()
        # Both are zip files: an .xlsx, or the .csv.zip.
        assert content.startswith(b"PK"), content[:20]
        assert hashlib.sha256(content).hexdigest() == answer.headers["X-Content-SHA256"]
        names = zipfile.ZipFile(BytesIO(content)).namelist()
        print(f"   {format_}: {len(content)} bytes, {len(names)} members", flush=True)

    step("attach a photo and a document to a key project in one upload, list, download them")
    projects = key_projects_list.sync(client=client, page_size=1)
    assert isinstance(projects, PaginatedKeyProjectList) and projects.results, projects
    project = projects.results[0]
    photo, document = BytesIO(), BytesIO()
    Image.new("RGB", (800, 600), "green").save(photo, "PNG")
    Image.new("RGB", (200, 100), "white").save(document, "PDF")
    sent = {"现场照片.png": photo.getvalue(), "批复.pdf": document.getvalue()}
    attached = attachments_create.sync(
        client=client,
        body=AttachmentUploadRequest(
            record_type=RecordTypeEnum("key-project"),
            record_id=project.id,
            kind=AttachmentKindEnum("other"),
            file=[File(payload=BytesIO(data), file_name=name) for name, data in sent.items()],
        ),
    )
    assert isinstance(attached, list) and all(isinstance(a, Attachment) for a in attached), attached
    assert [a.original_name for a in attached] == list(sent), attached
    listed = attachments_list.sync(
        client=client, record_type=AttachmentsListRecordType("key-project"), record_id=project.id
    )
    assert isinstance(listed, PaginatedAttachmentList), listed
    assert {a.id for a in attached} <= {a.id for a in listed.results}, listed
    for attachment in attached:
        answer = attachments_download_retrieve.sync_detailed(attachment.id, client=client)
        assert answer.status_code == 200 and isinstance(answer.parsed, File), (answer.status_code, answer.parsed)
        content = answer.parsed.payload.read()
        assert content == sent[attachment.original_name]
        assert hashlib.sha256(content).hexdigest() == answer.headers["X-Content-SHA256"] == attachment.sha256
    photo_answer = attachments_thumbnail_retrieve.sync_detailed(attached[0].id, client=client)
    assert photo_answer.status_code == 200 and isinstance(photo_answer.parsed, File), photo_answer.status_code
    assert Image.open(photo_answer.parsed.payload).size == (400, 300)
    no_thumbnail = attachments_thumbnail_retrieve.sync_detailed(attached[1].id, client=client)
    assert no_thumbnail.status_code == 404 and isinstance(no_thumbnail.parsed, Error), no_thumbnail.status_code

    print("client check passed", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
