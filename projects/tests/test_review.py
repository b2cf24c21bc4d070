"""The review of monthly progress reports (issue 17): the stage from the times (the model's and
the database's, for every order of events), what each door's entry becomes, who may submit,
approve and return through the API and the admin, and the figures counting only approved
amounts, now and as known on a past day."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from itertools import permutations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from investment import quotas
from projects.choices import ReviewStageChoices as Stage
from projects.models import KeyProject, ProgressReport, ProgressReview
from projects.tests.helpers import approved_report

d = datetime.date
URL = "/api/progress-reports/"
KEY = "key_project_investment_progress"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


@pytest.fixture
def project(make_listing, department):
    listing = make_listing(year=2023, listed_on=d(2023, 1, 15), planned_investment=D("1200.00"))
    listing.project.department = department
    listing.project.save()
    return listing.project


# --- the stage: the latest of the three times ---------------------------------------------------

TIMES = {"submitted_at": at(d(2023, 7, 1)), "approved_at": at(d(2023, 7, 2)), "returned_at": at(d(2023, 7, 3))}


def cases():
    """Every subset of the three events in every order of their times, and the ties."""
    names = list(TIMES)
    seen = []
    for size in range(4):
        for chosen in permutations(names, size):
            times = {name: at(d(2023, 7, 1 + i)) for i, name in enumerate(chosen)}
            latest = chosen[-1] if chosen else None
            expected = {"submitted_at": Stage.SUBMITTED, "approved_at": Stage.APPROVED, "returned_at": Stage.RETURNED}
            seen.append((times, expected[latest] if latest else Stage.DRAFT))
    same = at(d(2023, 7, 9))
    # Equal times: approved beats returned and submitted, returned beats submitted.
    seen.append(({"submitted_at": same, "approved_at": same}, Stage.APPROVED))
    seen.append(({"submitted_at": same, "returned_at": same}, Stage.RETURNED))
    seen.append(({"approved_at": same, "returned_at": same}, Stage.APPROVED))
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize(("times", "stage"), cases())
def test_the_stage_is_the_latest_event_in_the_model_and_in_the_database_alike(project, times, stage):
    fields = dict(times)
    if "approved_at" in fields:
        fields["approved_investment"] = D("1.00")
    report = ProgressReport.objects.create(project=project, month=d(2023, 6, 1), completed_investment=D("1"), **fields)
    assert report.stage == stage
    annotated = ProgressReport.objects.annotate(s=ProgressReport.REVIEW.annotation()).get(pk=report.pk)
    assert annotated.s == stage
    for each in Stage.values:
        filtered = ProgressReport.objects.filter(ProgressReport.REVIEW.condition(each)).filter(pk=report.pk).exists()
        assert filtered == (each == stage), each


# --- only approved amounts count, now and as known on a past day --------------------------------


@pytest.mark.django_db
def test_a_draft_or_submitted_report_counts_nothing_until_approved(plan, project, persona):
    clerk, bureau = persona("clerk"), persona("bureau")
    created = client_of(clerk).post(
        URL, {"project": project.pk, "month": "2023-06-01", "completed_investment": "600"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["stage"] == "draft"
    assert quotas.report(plan, d(2023, 6, 30))[KEY].value == D("0.0000")
    report_id = created.json()["id"]
    assert client_of(clerk).post(f"{URL}{report_id}/submit/").json()["stage"] == "submitted"
    assert quotas.report(plan, d(2023, 6, 30))[KEY].value == D("0.0000")
    approved = client_of(bureau).post(f"{URL}{report_id}/approve/")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["stage"] == "approved" and approved.json()["approved_investment"] == "600.00"
    assert quotas.report(plan, d(2023, 6, 30))[KEY].value == D("0.5000")


@pytest.mark.django_db
def test_junes_report_approved_on_3_july_counts_known_on_5_july_and_not_on_1_july(project):
    report = approved_report(project, d(2023, 6, 1), "300.00", at=at(d(2023, 7, 3)))
    as_of = d(2023, 6, 30)

    def both(known_on):
        annotated = KeyProject.objects.with_progress(as_of, known_on).get(pk=project.pk).year_completed_investment
        return project.completed_investment(2023, as_of, known_on), annotated

    assert both(d(2023, 7, 5)) == (D("300.00"), D("300.00"))
    assert both(d(2023, 7, 3)) == (D("300.00"), D("300.00"))  # approved that day: known by its end
    assert both(d(2023, 7, 2)) == (D("0"), D("0"))
    assert both(None) == (D("300.00"), D("300.00"))
    assert report.investment_known_on(d(2023, 7, 1)) is None


@pytest.mark.django_db
def test_a_report_reopened_and_approved_again_keeps_its_earlier_amount_as_known_before(project, persona):
    bureau = persona("bureau")
    report = approved_report(project, d(2023, 6, 1), "300.00", at=at(d(2023, 7, 3)))
    client = client_of(bureau)
    returned = client.post(f"{URL}{report.pk}/return/", {"reason": "数据有误"}, format="json")
    assert returned.status_code == 200, returned.json()
    assert returned.json()["stage"] == "returned"
    # Returned, it still counts its last approval; changed and approved again by the bureau, the
    # new amount counts now and the old one as known before.
    assert project.completed_investment(2023) == D("300.00")
    changed = client.patch(f"{URL}{report.pk}/", {"completed_investment": "450"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["stage"] == "approved"
    assert project.completed_investment(2023) == D("450.00")
    for known_on, expected in [(d(2023, 7, 5), D("300.00")), (None, D("450.00")), (d(2023, 7, 1), D("0"))]:
        annotated = KeyProject.objects.with_progress(d(2023, 6, 30), known_on).get(pk=project.pk)
        assert (
            annotated.year_completed_investment
            == expected
            == project.completed_investment(2023, d(2023, 6, 30), known_on)
        )
    assert list(ProgressReview.objects.filter(report=report).values_list("action", flat=True)) == [
        "approved",
        "returned",
        "approved",
    ]


# --- who may do what, through the API ------------------------------------------------------------


@pytest.fixture
def submitted(project):
    return ProgressReport.objects.create(
        project=project,
        month=d(2023, 5, 1),
        completed_investment=D("100.00"),
        submitted_at=at(d(2023, 6, 2)),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "action", "status"),
    [
        ("clerk", "approve", 403),
        ("other clerk", "approve", 403),
        ("leader", "approve", 403),
        ("bureau", "approve", 200),
        ("bureau", "submit", 409),  # already submitted
        ("clerk", "return", 403),
        ("bureau", "return", 400),  # without a reason
    ],
)
def test_only_bureau_staff_approve_and_return(persona, submitted, name, action, status):
    response = client_of(persona(name)).post(f"{URL}{submitted.pk}/{action}/", {}, format="json")
    assert response.status_code == status, response.json()
    submitted.refresh_from_db()
    assert submitted.stage == (Stage.APPROVED if status == 200 else Stage.SUBMITTED)


@pytest.mark.django_db
def test_a_clerk_submits_their_own_departments_reports_only(persona, project):
    draft = ProgressReport.objects.create(project=project, month=d(2023, 5, 1), completed_investment=D("1"))
    refused = client_of(persona("other clerk")).post(f"{URL}{draft.pk}/submit/")
    assert refused.status_code == 403 and "县" in refused.json()["detail"]
    assert client_of(persona("clerk")).post(f"{URL}{draft.pk}/submit/").status_code == 200


@pytest.mark.django_db
def test_an_approved_report_is_locked_for_department_clerks(persona, project):
    report = approved_report(project, d(2023, 5, 1), "100.00")
    clerk = client_of(persona("clerk"))
    changed = clerk.patch(f"{URL}{report.pk}/", {"completed_investment": "1"}, format="json")
    assert changed.status_code == 403, changed.json()
    assert clerk.delete(f"{URL}{report.pk}/").status_code == 403
    report.refresh_from_db()
    assert report.completed_investment == D("100.00")


@pytest.mark.django_db
def test_a_stale_version_on_an_action_is_refused_and_changes_nothing(persona, submitted):
    response = client_of(persona("bureau")).post(
        f"{URL}{submitted.pk}/approve/", {}, format="json", HTTP_IF_MATCH=f'"{submitted.version + 5}"'
    )
    assert response.status_code == 412
    submitted.refresh_from_db()
    assert submitted.stage == Stage.SUBMITTED and not ProgressReview.objects.exists()


@pytest.mark.django_db
def test_a_batch_acts_on_every_report_or_on_none(persona, project, submitted, django_assert_num_queries):
    draft = ProgressReport.objects.create(project=project, month=d(2023, 4, 1), completed_investment=D("2"))
    bureau = client_of(persona("bureau"))
    refused = bureau.post(f"{URL}approve/", {"ids": [submitted.pk, draft.pk]}, format="json")
    assert refused.status_code == 409, refused.json()
    assert not ProgressReview.objects.exists()
    missing = bureau.post(f"{URL}approve/", {"ids": [submitted.pk, 999999]}, format="json")
    assert missing.status_code == 400 and "ids" in missing.json()
    client_of(persona("clerk")).post(f"{URL}submit/", {"ids": [draft.pk]}, format="json")
    approved = bureau.post(f"{URL}approve/", {"ids": [submitted.pk, draft.pk]}, format="json")
    assert approved.status_code == 200, approved.json()
    assert {row["stage"] for row in approved.json()} == {"approved"}
    assert ProgressReport.objects.filter(ProgressReport.REVIEW.condition(Stage.APPROVED)).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 20])
def test_a_batch_costs_the_same_queries_for_2_reports_as_for_20(persona, make_listing, size, django_assert_num_queries):
    reports = []
    for n in range(size):
        listing = make_listing(year=2023, listed_on=d(2023, 1, 15))
        reports.append(
            ProgressReport.objects.create(
                project=listing.project, month=d(2023, 5, 1), completed_investment=D(n), submitted_at=at(d(2023, 6, 2))
            )
        )
    bureau = persona("bureau")
    client = client_of(bureau)
    bureau.has_perm("projects.review_progressreport")  # the permissions, read once a user, before
    # The reports (1); a savepoint (1), the claim (1), the update and its history (2), the trail
    # (1), the savepoint released (1).
    with django_assert_num_queries(7):
        response = client.post(f"{URL}approve/", {"ids": [report.pk for report in reports]}, format="json")
    assert response.status_code == 200, response.json()


@pytest.mark.django_db
def test_bureau_staffs_entries_are_approved_as_they_save_and_a_clerks_are_drafts(persona, project):
    body = {"project": project.pk, "completed_investment": "5"}
    bureau = client_of(persona("bureau")).post(URL, {**body, "month": "2023-05-01"}, format="json").json()
    clerk = client_of(persona("clerk")).post(URL, {**body, "month": "2023-04-01"}, format="json").json()
    assert (bureau["stage"], bureau["approved_investment"]) == ("approved", "5.00")
    assert (clerk["stage"], clerk["approved_investment"]) == ("draft", None)


# --- the admin's review list ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_review_list_approves_and_returns_with_a_reason(client, persona, submitted, project):
    client.force_login(persona("bureau"))
    url = "/admin/projects/progressreport/"
    listing = client.get(url, {"stage": "submitted"})
    assert listing.status_code == 200 and str(project) in listing.content.decode()
    asked = client.post(url, {"action": "return_selected", "_selected_action": [submitted.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    submitted.refresh_from_db()
    assert submitted.stage == Stage.SUBMITTED
    done = client.post(url, {"action": "return_selected", "_selected_action": [submitted.pk], "reason": "金额有误"})
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.stage, submitted.return_reason) == (Stage.RETURNED, "金额有误")


@pytest.mark.django_db
def test_a_clerk_cannot_approve_from_the_review_list(client, persona, submitted):
    client.force_login(persona("clerk"))
    url = "/admin/projects/progressreport/"
    page = client.get(url)
    assert page.status_code == 200 and "approve_selected" not in page.content.decode()
    client.post(url, {"action": "approve_selected", "_selected_action": [submitted.pk]})
    submitted.refresh_from_db()
    assert submitted.stage == Stage.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("approve/", {"ids": [1, 2.5, False]}, "ids"),
        ("approve/", {"ids": []}, "ids"),
        ("approve/", {"ids": [2**63]}, "ids"),
        ("approve/", {"ids": "1,2"}, "ids"),
        ("approve/", {}, "ids"),
        ("return/", {"ids": [1], "reason": 0}, "reason"),
        ("{id}/return/", {"reason": 0}, "reason"),
    ],
)
def test_a_malformed_body_is_a_400_naming_the_field_in_flat_messages(persona, submitted, path, body, field):
    response = client_of(persona("bureau")).post(URL + path.format(id=submitted.pk), body, format="json")
    assert response.status_code == 400, response.json()
    messages = response.json()[field]
    assert isinstance(messages, list) and all(isinstance(message, str) for message in messages)
    submitted.refresh_from_db()
    assert submitted.stage == Stage.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_the_review_list_costs_the_same_queries_for_3_reports_as_for_30(
    client, persona, make_listing, size, django_assert_num_queries
):
    for n in range(size):
        listing = make_listing(year=2023, listed_on=d(2023, 1, 15))
        ProgressReport.objects.create(
            project=listing.project, month=d(2023, 5, 1), completed_investment=D(n), submitted_at=at(d(2023, 6, 2))
        )
    client.force_login(persona("bureau"))
    url = "/admin/projects/progressreport/"
    client.get(url)  # the session and the permissions read once
    # Session, user, the user's permissions (2); the latest plan's year (the month filter); the
    # unit filter's choices; the count; the page's rows with their projects and units.
    with django_assert_num_queries(8):
        response = client.get(url, {"stage": "submitted"})
    assert response.status_code == 200
    assert response.content.decode().count('class="action-select"') == size
