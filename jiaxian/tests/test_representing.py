"""The API's answers (``jiaxian/representing.py``) are the ones DRF's own
``Serializer.to_representation`` gives, field for field, on every resource of the router: its
list of the demo data (each record, nested listings and ids too) and a record's detail, as of
today and as of a past date, with records whose optional fields are empty."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework import serializers
from rest_framework.test import APIClient

from investment.models import Notification, OrderReply, SupervisionOrder
from jiaxian.representing import QuickRepresentation
from jiaxian.urls import router
from projects.attachments import Upload, attach
from projects.choices import AttachmentKindChoices

LOOKUPS = {prefix: getattr(viewset, "lookup_field", "pk") for prefix, viewset, _basename in router.registry}
# Every resource as of today; those that take a date, as of a past one as well.
CASES = [(prefix, "") for prefix in LOOKUPS] + [
    (prefix, "as_of=2023-06-30")
    for prefix, viewset, _basename in router.registry
    if "as_of" in getattr(viewset, "query_parameters", ())
]


def issue_an_order_with_a_reply(project) -> None:
    order = SupervisionOrder.objects.create(
        year=2023,
        subject="开工滞后",
        demand="限期整改",
        issued_on=datetime.date(2023, 3, 1),
        due_on=datetime.date(2023, 3, 31),
        department=project.department,
        key_project=project,
    )
    OrderReply.objects.create(
        order=order,
        text="已整改",
        replied_on=datetime.date(2023, 3, 10),
        decision="accepted",
        decided_on=datetime.date(2023, 3, 12),
    )
    SupervisionOrder.objects.create(  # open, no reply, an empty list of replies
        year=2023,
        subject="手续未办",
        demand="限期办理",
        issued_on=datetime.date(2023, 4, 1),
        due_on=datetime.date(2023, 4, 30),
        department=project.department,
        key_project=project,
    )


def attach_a_photo_and_a_document(project) -> None:
    image, document = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(image, "PNG")
    Image.new("RGB", (40, 30), "white").save(document, "PDF")
    attach(project, [Upload("现场.png", image.getvalue())], kind=AttachmentKindChoices.SITE_PHOTO)
    attach(project, [Upload("批复.pdf", document.getvalue())], kind=AttachmentKindChoices.APPROVAL, title="批复")


def answers(client: APIClient, prefix: str, query: str) -> list:
    listed = client.get(f"/api/{prefix}/?page_size=500&{query}")
    assert listed.status_code == 200, listed.content
    body = listed.json()
    records = body["results"] if isinstance(body, dict) and "results" in body else body
    details = []
    for record in records[:3]:
        key = record["id" if LOOKUPS[prefix] == "pk" else LOOKUPS[prefix]]
        detail = client.get(f"/api/{prefix}/{key}/?{query}")
        assert detail.status_code == 200, detail.content
        details.append(detail.json())
    return [records, details]


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "query"), CASES)
def test_every_resources_answers_are_drfs(
    demo_data, admin_user, make_key_project, make_bond_reserve, make_attraction_project, monkeypatch, prefix, query
):
    # Records with their optional fields empty: None must come out as DRF writes it.
    make_key_project(name="空字段", started_on=None, completed_on=None)
    make_bond_reserve(name="空字段")
    make_attraction_project(name="空字段")
    client = APIClient()
    client.force_authenticate(admin_user)
    if prefix in ("supervision-orders", "order-replies"):  # the demo has none yet
        issue_an_order_with_a_reply(make_key_project(name="督办项目"))
    if prefix == "notifications":  # the signed-in person's own; the demo has none
        for number, about in enumerate([None, make_key_project(name="提醒项目")]):
            Notification.objects.create(
                user=admin_user, event=f"e:{number}", text="提醒", about=about, created_at=timezone.now()
            )
    if prefix == "filings":  # the demo files none
        filed = client.post("/api/filings/", {"year": 2023, "quarter": 2, "format": "xlsx"}, format="json")
        assert filed.status_code == 201, filed.content
    if prefix == "attachments":  # nor any attachment: an image (with its thumbnail) and a document
        attach_a_photo_and_a_document(make_key_project(name="附件项目"))
    if prefix == "circular-filings":  # nor any circular
        filed = client.post("/api/circular-filings/", {"year": 2023, "month": 6, "format": "xlsx"}, format="json")
        assert filed.status_code == 201, filed.content
    ours = answers(client, prefix, query)
    monkeypatch.setattr(QuickRepresentation, "to_representation", serializers.Serializer.to_representation)
    drfs = answers(client, prefix, query)
    assert ours == drfs
    assert ours[0], f"/api/{prefix}/ listed nothing: the comparison compared nothing"


def serializer_classes() -> set[type]:
    found = {viewset.serializer_class for _prefix, viewset, _basename in router.registry}
    nested = {type(field.child) for cls in found for field in cls().fields.values() if hasattr(field, "child")}
    return {cls for cls in found | nested if issubclass(cls, QuickRepresentation)}


@pytest.mark.parametrize(
    "cls", sorted(serializer_classes(), key=lambda cls: cls.__name__), ids=lambda cls: cls.__name__
)
def test_every_serializers_fields_are_the_ones_modelserializer_builds(cls):
    # Copied from the class's fields built once, each time as ModelSerializer would build them.
    for _attempt in range(2):
        ours = {name: repr(field) for name, field in cls().get_fields().items()}
        built = {name: repr(field) for name, field in serializers.ModelSerializer.get_fields(cls()).items()}
        assert ours == built
    assert cls().get_fields() is not cls().get_fields()
    first = cls()
    assert first.fields["id"].parent is first  # bound to its own serializer, not to a shared one
