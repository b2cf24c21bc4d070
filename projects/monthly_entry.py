"""The admin's monthly entry page (月度进度填报): one month's completed investment of every key
project listed for the year, in one table, saved at once — what the clerks do each month in
Excel. Wrapped in ``admin.site.admin_view`` by the URLconf (staff only); without the
permissions to add and change progress reports it is a 403.

GET ``?year=Y&month=M`` (default: ``default_month``, in the latest year with a plan, as the
dashboard) shows one row per project listed for Y (any listing of Y, whatever its date) with
the month's figure and note pre-filled from the report that exists. POST saves the whole table
in one transaction: a row with an amount creates or updates that month's report, a row left
blank deletes the report it had (a blank row without a report is skipped). Every row is checked
by the report's own rules (its fields' and its month's) first; if any is refused, the page
comes back with each bad row named by its project and nothing is saved. Rows whose figures did
not change are not saved (their version stays).

No lost update: each row remembers (hidden) the version of the report it showed, or that it
showed none. A save claims every changed row's version at once (``jiaxian.versions``); a row
whose report someone else saved, created or deleted since is named, and nothing of the month
is saved. The save takes as many queries for ten rows as for a hundred (``save_month``).

The department rule (``projects.access``): every listed project is shown, but a clerk who does
not edit all departments can change only the rows of their departments' projects; the others
are read-only, and a posted change to one of them is refused like a bad row (named, with its
department; nothing saved). Sent unchanged, such a row is skipped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jiaxian import periods, versions
from jiaxian.params import YearField

from . import access, validation
from .models import AnnualListing, KeyProject, ProgressReport, YearPlan

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


def rows_of(month: datetime.date, user=None) -> list[dict]:
    """The projects listed for the month's year, by name, each with its listing's planned
    investment, the month's report (None when there is none) and whether ``user`` may edit it
    (``editable``; always without a user): three queries, and the user's departments once."""
    listings = {
        listing.project_id: listing.planned_investment
        for listing in AnnualListing.objects.filter(year=month.year).only("project_id", "planned_investment")
    }
    reports = {report.project_id: report for report in ProgressReport.objects.filter(month=month)}
    projects = (
        KeyProject.objects.filter(pk__in=list(listings))
        .select_related("department")
        .order_by("name")
        .only("pk", "name", "department__name")
    )
    return [
        {
            "project": p,
            "planned": listings[p.pk],
            "report": reports.get(p.pk),
            "editable": user is None or access.may_edit_department(user, p.department_id),
        }
        for p in projects
    ]


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
            if report is not None:
                write.delete = True
                outcomes.append(write)
            elif note:
                outcomes.append(
                    gettext("%(project)s: a note needs the month's completed investment.") % {"project": project}
                )
            continue
        if report is not None and report.completed_investment == amount and report.note == note:
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
    if created:
        bulk_create_with_history(created, ProgressReport, default_user=user, default_date=now)
    if updated:
        bulk_update_with_history(
            updated,
            ProgressReport,
            ["completed_investment", "note", "version", "updated_at"],
            default_user=user,
            default_date=now,
        )
    if deleted:
        ProgressReport.objects.filter(pk__in=deleted).delete()


def monthly_entry(request):
    """The page (see the module's docstring)."""
    if not all(request.user.has_perm(permission) for permission in PERMISSIONS):
        raise PermissionDenied(gettext("Entering monthly progress needs the permissions on progress reports."))
    source = request.POST if request.method == "POST" else request.GET
    month, errors = chosen_month(source)
    rows = rows_of(month, request.user)
    status = 200
    if request.method == "POST" and not errors:
        formset = RowFormSet(request.POST)
        if formset.is_valid():
            errors = save_month(month, rows, formset.cleaned_data, request.user)
            if not errors:
                messages.success(
                    request,
                    gettext("Saved the progress of %(month)s for %(count)s projects.")
                    % {"month": month.strftime("%Y-%m"), "count": len(rows)},
                )
                return HttpResponseRedirect(f"{reverse('monthly-entry')}?year={month.year}&month={month.month}")
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
    for row, form in zip(rows, formset.forms, strict=False):
        if not row["editable"]:
            # Shown, and posted back unchanged (a disabled input would not be posted at all).
            for name in ("completed_investment", "note"):
                form.fields[name].widget.attrs["readonly"] = True
    context = {
        **admin.site.each_context(request),
        "title": gettext("Monthly progress entry"),
        "month": month,
        "months": range(1, 13),
        # The year box offers the range every period parameter accepts (jiaxian.periods).
        "year_min": periods.YEAR_MIN,
        "year_max": periods.YEAR_MAX,
        "errors": errors,
        "formset": formset,
        "rows": list(zip(rows, formset.forms, strict=False)),
        "total_planned": sum((row["planned"] for row in rows), Decimal("0")),
    }
    return TemplateResponse(request, "admin/monthly_entry.html", context, status=status)


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
