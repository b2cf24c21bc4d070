"""The admin's monthly entry page (月度进度填报): one month's completed investment of every key
project listed for the year, in one table, saved at once — what the clerks do each month in
Excel. Wrapped in ``admin.site.admin_view`` by the URLconf (staff only); without the
permissions to add and change progress reports it is a 403.

GET ``?year=Y&month=M`` (default: the current month) shows one row per project listed for Y
(any listing of Y, whatever its date) with the month's figure and note pre-filled from the
report that exists. POST saves the whole table in one transaction: a row with an amount
creates or updates that month's report, a row left blank deletes the report it had (a blank
row without a report is skipped). Every row is checked by ``ProgressReport.full_clean()``
first; if any is refused, the page comes back with each bad row named by its project and
nothing is saved. Rows whose figures did not change are not saved (their version stays).

The department rule (``projects.access``): every listed project is shown, but a clerk who does
not edit all departments can change only the rows of their departments' projects; the others
are read-only, and a posted change to one of them is refused like a bad row (named, with its
department; nothing saved). Sent unchanged, such a row is skipped.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.params import YearField

from . import access
from .models import AnnualListing, KeyProject, ProgressReport

PERMISSIONS = ("projects.add_progressreport", "projects.change_progressreport", "projects.delete_progressreport")


class MonthForm(forms.Form):
    year = YearField(label=_("year"))
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)


class RowForm(forms.Form):
    """One project's row; ``project`` is the project's id (hidden)."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    completed_investment = forms.DecimalField(
        label=_("investment completed in the month (万元)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
    )
    note = forms.CharField(label=_("progress note"), required=False, widget=forms.TextInput(attrs={"size": 40}))


RowFormSet = forms.formset_factory(RowForm, extra=0)


def chosen_month(data) -> tuple[datetime.date, list[str]]:
    """The month chosen in ``data`` (its first day), today's when absent; messages when bad."""
    today = periods.today()
    if "year" not in data and "month" not in data:
        return periods.month_start(today), []
    form = MonthForm(data)
    if not form.is_valid():
        errors = [f"{form.fields[name].label}: {' '.join(messages)}" for name, messages in form.errors.items()]
        return periods.month_start(today), errors
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


def save_month(month: datetime.date, rows: list[dict], data: list[dict]) -> list[str]:
    """Apply the table's ``data`` (cleaned rows, in any order) to the month's reports: all or
    nothing. Returns the messages of the refused rows (each naming its project); when there
    are any, nothing was saved."""
    by_project = {row["project"].pk: row for row in rows}
    errors: list[str] = []
    to_save: list[ProgressReport] = []
    to_delete: list[ProgressReport] = []
    for values in data:
        row = by_project.get(values["project"])
        if row is None:
            errors.append(gettext("A row names a project that is not listed for %(year)s.") % {"year": month.year})
            continue
        report, amount, note = row["report"], values["completed_investment"], values["note"].strip()
        if amount is None:
            if note and report is None:
                errors.append(
                    gettext("%(project)s: a note needs the month's completed investment.") % {"project": row["project"]}
                )
            elif report is not None:
                if not row.get("editable", True):
                    errors.append(not_yours(row["project"]))
                else:
                    to_delete.append(report)
            continue
        if report is not None and report.completed_investment == amount and report.note == note:
            continue
        if not row.get("editable", True):
            errors.append(not_yours(row["project"]))
            continue
        report = report or ProgressReport(project=row["project"], month=month)
        report.completed_investment, report.note = amount, note
        try:
            report.full_clean()
        except ValidationError as error:
            text = "; ".join(message for messages in error.message_dict.values() for message in messages)
            errors.append(gettext("%(project)s: %(error)s") % {"project": row["project"], "error": text})
            continue
        to_save.append(report)
    if errors:
        return errors
    with transaction.atomic():
        for report in to_save:
            report.save()
        for report in to_delete:
            report.delete()
    return []


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
            errors = save_month(month, rows, formset.cleaned_data)
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
