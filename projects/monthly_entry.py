"""The admin's monthly entry page (月度进度填报): one month's completed investment of the key
projects listed for the year, a page of 100 at a time, each page saved at once — what the
clerks do each month in Excel. Wrapped in ``admin.site.admin_view`` by the URLconf (staff only); without the
permissions to add and change progress reports it is a 403.

GET ``?year=Y&month=M`` (default: ``default_month``, in the latest year with a plan, as the
dashboard) shows one row per project listed for Y (any listing of Y, whatever its date) with
the month's figure and note pre-filled from the report that exists, by name (then id), 100 a
page (``&page=N``). The selection (``Selection``): ``&department=ID`` and ``&area=ID`` narrow
it; a clerk who does not edit all departments sees only their own departments' projects (the
department select offers only those), bureau staff all, or the department or area they choose.
The total planned investment shown is the whole selection's (every page), computed with the
count of the pager in one aggregate over the listings. POST saves the page shown (its rows
only; the form posts the selection and page back) in one transaction: a row with an amount
creates or updates that month's report, a row left blank deletes the report it had (a blank row
without a report is skipped). Every row is checked by the report's own rules (its fields' and
its month's) first; if any is refused, the page comes back with each bad row named by its
project and nothing is saved. Rows whose figures did not change are not saved (their version
stays).

No lost update: each row remembers (hidden) the version of the report it showed, or that it
showed none. A save claims every changed row's version at once (``jiaxian.versions``); a row
whose report someone else saved, created or deleted since is named, and nothing of the month
is saved. The save takes as many queries for ten rows as for a hundred (``save_month``).

The department rule (``projects.access``): a clerk who does not edit all departments is shown
only their departments' projects, and a department not theirs is refused as a bad choice; a row
not editable (a project without a department, for instance) is read-only, and a posted change to
one of them is refused like a bad row (named, with its department; nothing saved). Sent
unchanged, such a row is skipped.

The review (``projects.review``): each row shows its report's stage (a returned one with the
reason). What a department clerk saves stays a draft (or the stage it had); 保存并提交本页 saves
the page and submits its drafts and returned reports, both or neither. Bureau staff's rows are
approved as they save (they get no submit button). An approved report is locked for department
clerks: its row is read-only, and a posted change to it is refused, named.

A page takes the same queries whatever the size of the ledger: the count and total (one
aggregate over the selection's listings), the page's listings with their projects, the page's
reports (and the user's departments, for a clerk; the selects' reference tables, on a GET).
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jiaxian import periods, versions
from jiaxian.admin import change_url_of
from jiaxian.paging import CountedPaginator
from jiaxian.params import YearField

from . import access, attachments, review, validation
from .admin.attachments import upload_url_of
from .choices import ReviewActionChoices as Action, ReviewStageChoices as Stage
from .models import AnnualListing, Area, Department, KeyProject, ProgressReport, YearPlan

PER_PAGE = 100
PERMISSIONS = ("projects.add_progressreport", "projects.change_progressreport", "projects.delete_progressreport")


class MonthForm(forms.Form):
    year = YearField(label=_("year"))
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)


class RowForm(forms.Form):
    """One project's row; ``project`` is the project's id and ``version`` the version of the
    month's report the page showed, blank when it showed none (both hidden)."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    completed_investment = forms.DecimalField(
        label=_("investment completed in the month (万元)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
    )
    note = forms.CharField(label=_("progress note"), required=False, widget=forms.TextInput(attrs={"size": 40}))


RowFormSet = forms.formset_factory(RowForm, extra=0)


def default_month() -> datetime.date:
    """The month the page opens on (its first day): in the latest year with a plan, as the
    dashboard opens on it, the month of the year's as-of day (``periods.default_as_of``: this
    month while the year runs, December once it is past, January before it begins); this
    month when there is no plan."""
    year = YearPlan.objects.latest_year()
    if year is None:
        return periods.month_start(periods.today())
    as_of = periods.default_as_of(year)
    return periods.month_start(as_of) if as_of.year == year else datetime.date(year, 1, 1)


def chosen_month(data) -> tuple[datetime.date, list[str]]:
    """The month chosen in ``data`` (its first day), ``default_month()`` when absent; messages
    when bad."""
    if "year" not in data and "month" not in data:
        return default_month(), []
    form = MonthForm(data)
    if not form.is_valid():
        errors = [f"{form.fields[name].label}: {' '.join(messages)}" for name, messages in form.errors.items()]
        return default_month(), errors
    return datetime.date(form.cleaned_data["year"], form.cleaned_data["month"], 1), []


class SelectionForm(forms.Form):
    """Which projects the page shows: a department and an area (blank: all, or for a clerk all
    of theirs), and the page. The department's choices are the user's own unless they edit all
    departments; both are read from the small reference tables, never from the ledger."""

    department = forms.ModelChoiceField(queryset=Department.objects.order_by("code"), required=False)
    area = forms.ModelChoiceField(queryset=Area.objects.order_by("code"), required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, data, user, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["department"].label = _("department")
        self.fields["area"].label = _("area")
        self.fields["area"].empty_label = gettext("All areas")
        if user is not None and not access.edits_all_departments(user):
            self.fields["department"].queryset = Department.objects.filter(
                pk__in=list(access.department_ids(user))
            ).order_by("code")
            self.fields["department"].empty_label = gettext("All my departments")
        else:
            self.fields["department"].empty_label = gettext("All departments")


@dataclass
class Selection:
    """The projects shown: of ``departments`` (None: every department), in ``area`` (None:
    every area), page ``page``."""

    departments: frozenset[int] | None = None
    area: int | None = None
    page: int = 1
    department: int | None = None  # the one chosen, for the links

    def query(self) -> str:
        """The selection as query parameters (without the page), for the pager's links."""
        parts = [f"&department={self.department}" if self.department else "", f"&area={self.area}" if self.area else ""]
        return "".join(parts)


def chosen_selection(data, user) -> tuple[Selection, SelectionForm, list[str]]:
    """The selection in ``data`` for ``user``: a clerk's is limited to their departments
    (``projects.access``); messages when a choice is bad (then the default selection)."""
    form = SelectionForm(data, user)
    own = None if user is None or access.edits_all_departments(user) else access.department_ids(user)
    if not form.is_valid():
        errors = [f"{form.fields[name].label}: {' '.join(messages)}" for name, messages in form.errors.items()]
        return Selection(departments=own), form, errors
    department, area = form.cleaned_data["department"], form.cleaned_data["area"]
    return (
        Selection(
            departments=frozenset([department.pk]) if department else own,
            area=area.pk if area else None,
            page=form.cleaned_data["page"] or 1,
            department=department.pk if department else None,
        ),
        form,
        [],
    )


def listings_of(year: int, selection: Selection):
    """The listings of ``year`` that ``selection`` covers (any page)."""
    listings = AnnualListing.objects.filter(year=year)
    if selection.departments is not None:
        listings = listings.filter(project__department_id__in=sorted(selection.departments))
    if selection.area is not None:
        listings = listings.filter(project__area_id=selection.area)
    return listings


@dataclass
class Rows:
    """A page of rows (``rows_of``): the rows, the pager's page, and the selection's count and
    total planned investment (every page's)."""

    rows: list[dict]
    page: object
    count: int
    total_planned: Decimal


def rows_of(month: datetime.date, user=None, selection: Selection | None = None, back: str = "") -> Rows:
    """The page of ``selection`` of the projects listed for the month's year, by name then id,
    each with its listing's planned investment, the month's report (None when there is none),
    the URL of its change page, the number of the month's site photos and the URL to upload more
    (returning to ``back``), and whether ``user`` may edit it (``editable``; always without
    a user): three queries (the count and total in one aggregate; the page; its reports), and
    the user's departments once."""
    selection = selection or Selection()
    listings = listings_of(month.year, selection)
    summary = listings.aggregate(count=Count("pk"), total=Sum("planned_investment"))
    paginator = CountedPaginator(
        listings.select_related("project__department")
        .order_by("project__name", "project_id")
        .only("project_id", "planned_investment", "project__name", "project__department__name"),
        PER_PAGE,
        count=summary["count"],
    )
    page = paginator.get_page(selection.page)
    page.object_list = list(page.object_list)
    ids = [listing.project_id for listing in page.object_list]
    reports = {
        report.project_id: report
        for report in ProgressReport.objects.filter(month=month, project_id__in=ids).annotate(
            photos=attachments.photo_count(ProgressReport)
        )
    }
    change_url = change_url_of(KeyProject._meta)
    upload_url = upload_url_of(ProgressReport.attachment_record_type)
    rows = [
        {
            "project": listing.project,
            "planned": listing.planned_investment,
            "report": reports.get(listing.project_id),
            "url": change_url(listing.project_id),
            "editable": user is None or access.may_edit_department(user, listing.project.department_id),
        }
        for listing in page.object_list
    ]
    for row in rows:
        # The month's site photos are attached to its report: saved first, then photographed.
        row["upload_url"] = upload_url(row["report"].pk, back) if row["report"] is not None else ""
    for row in rows:
        # Approved and locked for this user (projects.review): shown, not editable.
        row["locked"] = row["report"] is not None and review.entry_refusal(user, row["report"]) is not None
    return Rows(rows, page, summary["count"], summary["total"] or Decimal("0"))


def not_yours(project: KeyProject) -> str:
    """Why a row of ``project`` cannot be changed by this clerk, naming its department."""
    return gettext(
        "%(project)s belongs to %(department)s: you may enter progress only for your own departments' projects."
    ) % {"project": project, "department": project.department}


def someone_elses(project: KeyProject, month: datetime.date) -> str:
    """Why a row of ``project`` was refused as stale: someone saved its report since the page
    was opened."""
    return gettext(
        "%(project)s: someone else saved the progress of %(month)s after you opened the page. Nothing was "
        "saved: open the month again to see their figures, then enter yours."
    ) % {"project": project, "month": month.strftime("%Y-%m")}


@dataclass
class Write:
    """What one row changes: ``report`` to create (no pk), update, or delete (``delete``), and
    the version of it the row showed (``shown``, None when the row showed no report)."""

    project: KeyProject
    report: ProgressReport
    shown: int | None
    editable: bool
    delete: bool = False


def save_month(month: datetime.date, rows: list[dict], data: list[dict], user=None) -> list[str]:
    """Apply the table's ``data`` (cleaned rows, in any order) to the month's reports: all or
    nothing, by ``user`` (in the history). Returns the messages of the refused rows (each
    naming its project); when there are any, nothing was saved.

    No lost update: each row says which version of its report it showed (``version``, None
    when it showed none), and every row whose figures differ from the stored ones claims that
    version, all in one statement (``jiaxian.versions.claim_many``): a report changed or
    deleted since, or created since for a row that showed none, is someone else's save, and
    its row is refused. The queries are as many for ten rows as for a hundred: the claim, and
    the reports created and updated with their history in bulk (on SQLite, Django splits a bulk
    statement at its 999 parameters, every 70-odd rows); a deleted report costs one query more
    for its history entry."""
    by_project = {row["project"].pk: row for row in rows}
    outcomes: list[str | Write] = []  # in the table's order: a refusal's message, or a write
    seen: set[int] = set()
    for values in data:
        row = by_project.get(values["project"])
        if row is None:
            outcomes.append(gettext("A row names a project that is not listed for %(year)s.") % {"year": month.year})
            continue
        project, report = row["project"], row["report"]
        if project.pk in seen:
            outcomes.append(gettext("%(project)s: the table has this project twice.") % {"project": project})
            continue
        seen.add(project.pk)
        amount, note = values["completed_investment"], values["note"].strip()
        write = Write(project, report, values.get("version"), row.get("editable", True))
        if amount is None:
            if report is not None and (locked := review.entry_refusal(user, report)):
                outcomes.append(locked)
            elif report is not None:
                write.delete = True
                outcomes.append(write)
            elif note:
                outcomes.append(
                    gettext("%(project)s: a note needs the month's completed investment.") % {"project": project}
                )
            continue
        if report is not None and report.completed_investment == amount and report.note == note:
            continue
        locked = review.entry_refusal(user, report) if report is not None else None
        if locked:
            outcomes.append(locked)
            continue
        write.report = report or ProgressReport(project=project, month=month)
        write.report.completed_investment, write.report.note = amount, note
        outcomes.append(write)
    writes = [write for write in outcomes if isinstance(write, Write)]
    try:
        with transaction.atomic():
            stale = versions.claim_many(
                ProgressReport,
                {write.report.pk: write.shown for write in writes if write.report.pk and write.shown is not None},
            )
            errors = [message for message in (refusal(month, stale, each) for each in outcomes) if message]
            if errors:
                transaction.set_rollback(True)  # the claims raised versions
                return errors
            write_month(writes, user)
    except IntegrityError:
        # A report created for a row that showed none, after this request read the month.
        created = {write.project.pk: write.project for write in writes if write.report.pk is None}
        taken = ProgressReport.objects.filter(month=month, project__in=list(created))
        errors = [someone_elses(created[pk], month) for pk in taken.values_list("project_id", flat=True)]
        if not errors:
            raise
        return errors
    return []


def refusal(month: datetime.date, stale: set[int], write: str | Write) -> str | None:
    """Why a row is refused (``write`` is its message already when it is), None when it may
    be written: someone else's save since the page was opened (its report in ``stale``, or
    there since, or gone since), another department's project, or a figure the report's
    rules refuse. No query: the project is one of the page's, the month the page's."""
    if isinstance(write, str):
        return write
    report, shown = write.report, write.shown
    if (report.pk is None) != (shown is None) or report.pk in stale:
        return someone_elses(write.project, month)
    if not write.editable:
        return not_yours(write.project)
    if write.delete:
        return None
    try:
        report.clean_fields(exclude=["project"])
    except ValidationError as error:
        errors = error.message_dict
    else:
        errors = {}
    errors = validation.merge(errors, report.month_errors())
    if not errors:
        return None
    text = "; ".join(message for messages in errors.values() for message in messages)
    return gettext("%(project)s: %(error)s") % {"project": write.project, "error": text}


def write_month(writes: list[Write], user) -> None:
    """Write the claimed rows: the reports created and updated in bulk, each with its history
    entry by ``user``; an updated report goes to the version after the one claimed (the claim
    raised the stored one already)."""
    now = timezone.now()
    created = [write.report for write in writes if write.report.pk is None]
    deleted = [write.report.pk for write in writes if write.delete]
    updated = []
    for write in writes:
        if write.report.pk is not None and not write.delete:
            write.report.version, write.report.updated_at = write.shown + 1, now
            updated.append(write.report)
    # Each row becomes what its author's entries become (projects.review): bureau staff's are
    # approved as they save, a department clerk's stay as they are until submitted.
    events = [review.stamp_entry(report, user, now) for report in [*created, *updated]]
    if created:
        bulk_create_with_history(created, ProgressReport, default_user=user, default_date=now)
    if updated:
        bulk_update_with_history(
            updated,
            ProgressReport,
            ["completed_investment", "note", "version", "updated_at", *review.ENTRY_FIELDS],
            default_user=user,
            default_date=now,
        )
    review.write_trail(events)
    if deleted:
        ProgressReport.objects.filter(pk__in=deleted).delete()


def submit_page(month: datetime.date, rows: list[dict], user) -> tuple[int, list[str]]:
    """Submit the month's drafts and returned reports of the page's rows the user may edit
    (``projects.review``): the number submitted and the refusals (each naming its report). Four
    queries: the reports, then the review's claim, update with history and trail."""
    ids = [row["project"].pk for row in rows if row["editable"]]
    waiting = Q(ProgressReport.REVIEW.condition(Stage.DRAFT)) | Q(ProgressReport.REVIEW.condition(Stage.RETURNED))
    reports = list(
        ProgressReport.objects.filter(waiting, month=month, project_id__in=ids).select_related("project__department")
    )
    try:
        review.act(Action.SUBMITTED, reports, user)
    except review.Refused as refused:
        return 0, refused.messages
    return len(reports), []


def monthly_entry(request):
    """The page (see the module's docstring)."""
    if not all(request.user.has_perm(permission) for permission in PERMISSIONS):
        raise PermissionDenied(gettext("Entering monthly progress needs the permissions on progress reports."))
    source = request.POST if request.method == "POST" else request.GET
    month, errors = chosen_month(source)
    selection, selection_form, selection_errors = chosen_selection(source, request.user)
    errors += selection_errors
    here = f"?year={month.year}&month={month.month}{selection.query()}"
    found = rows_of(month, request.user, selection, back=f"{reverse('monthly-entry')}{here}&page={selection.page}")
    rows = found.rows
    status = 200
    if request.method == "POST" and not errors:
        formset = RowFormSet(request.POST)
        if formset.is_valid():
            submitted, submitting = 0, "_submit" in request.POST
            # Saved and submitted together, or neither: a refused submission keeps nothing (a
            # plain save is one transaction already, save_month's).
            with transaction.atomic() if submitting else nullcontext():
                errors = save_month(month, rows, formset.cleaned_data, request.user)
                if not errors and submitting:
                    submitted, errors = submit_page(month, rows, request.user)
                    if errors:
                        transaction.set_rollback(True)
            if not errors:
                messages.success(
                    request,
                    gettext("Saved the progress of %(month)s for %(count)s projects.")
                    % {"month": month.strftime("%Y-%m"), "count": len(rows)},
                )
                if submitting:
                    messages.success(
                        request,
                        gettext("Submitted %(count)s reports for review.") % {"count": submitted},
                    )
                return HttpResponseRedirect(f"{reverse('monthly-entry')}{here}&page={found.page.number}")
        else:
            names = {row["project"].pk: str(row["project"]) for row in rows}
            for form in formset.forms:
                for field, messages_ in form.errors.items():
                    project = names.get(_int(form.data.get(form.add_prefix("project"))), "?")
                    label = form.fields[field].label
                    errors.append(f"{project}: {label}: {' '.join(messages_)}")
            errors.extend(formset.non_form_errors())
        status = 400
    else:
        formset = RowFormSet(
            initial=[
                {
                    "project": row["project"].pk,
                    "version": row["report"].version if row["report"] else None,
                    "completed_investment": row["report"].completed_investment if row["report"] else None,
                    "note": row["report"].note if row["report"] else "",
                }
                for row in rows
            ]
        )
        if errors:
            status = 400
    context = {
        **admin.site.each_context(request),
        # Bureau staff's entries are approved as they save: they have nothing to submit.
        "reviews": review.reviews(request.user),
        "title": gettext("Monthly progress entry"),
        "month": month,
        "months": range(1, 13),
        # The year box offers the range every period parameter accepts (jiaxian.periods).
        "year_min": periods.YEAR_MIN,
        "year_max": periods.YEAR_MAX,
        "errors": errors,
        "formset": formset,
        "selection": selection,
        "selection_form": selection_form,
        "here": here,
        "page": found.page,
        "count": found.count,
        "rows": list(zip(rows, formset.forms, strict=False)),
        "total_planned": found.total_planned,
    }
    return TemplateResponse(request, "admin/monthly_entry.html", context, status=status)


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
