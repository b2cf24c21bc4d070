"""The admin's page of the monthly rankings circular: pick a year and a month, then download the
circular (``circular.CircularExporter``) as XLSX or as a zip of CSVs, or file it (归档,
``filings.file_circular``; that needs ``investment.file_circular``). A thin door, like the
command and the API; the 排名通报 page links here with its year and month chosen. Wrapped in
``admin.site.admin_view`` by the URLconf."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from jiaxian import periods
from jiaxian.exporting import Format, export_response
from projects.models import YearPlan

from .circular import CircularExporter
from .filings import file_circular

FILE_PERMISSION = "investment.file_circular"


def parse(data, plans: dict[int, YearPlan]) -> tuple[dict, list[str]]:
    """The year, month and format chosen, and a message for each bad one."""
    errors = []
    values: dict = {}
    try:
        values["year"] = periods.parse_year(data.get("year", ""))
        if values["year"] not in plans:
            errors.append(gettext("There is no year plan for %(year)s.") % {"year": values["year"]})
    except periods.PeriodParameterError:
        errors.append(gettext("Year: choose a year with a plan."))
    month = data.get("month", "").strip()
    if month.isdigit() and 1 <= int(month) <= 12:
        values["month"] = int(month)
    else:
        errors.append(gettext("Month: 1 to 12."))
    try:
        values["format"] = Format(data.get("format", Format.XLSX))
    except ValueError:
        errors.append(gettext("Format: xlsx or csv."))
    return values, errors


def circular_export(request):
    """GET: the form (``year`` and ``month`` may be given to preselect). POST with ``action``
    ``download`` (or none): the file; ``file``: a new filing, then the list of filed circulars
    (403 without ``investment.file_circular``)."""
    may_file = request.user.has_perm(FILE_PERMISSION)
    if request.method == "POST" and request.POST.get("action") == "file" and not may_file:
        raise PermissionDenied(gettext("Filing the circular needs the permission to file it."))
    plans = {plan.year: plan for plan in YearPlan.objects.order_by("-year")}
    today = periods.today()
    default_year = YearPlan.objects.latest_year() or today.year
    choice: dict = {"year": default_year, "month": today.month if today.year == default_year else 12}
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        values, errors = parse(request.POST, plans)
        choice.update(values)
        if not errors:
            if request.POST.get("action") == "file":
                filing = file_circular(values["year"], values["month"], values["format"], request.user)
                messages.success(
                    request,
                    gettext("Filed %(filing)s, SHA-256 %(sha256)s.") % {"filing": filing, "sha256": filing.sha256},
                )
                return HttpResponseRedirect(reverse("admin:investment_circularfiling_changelist"))
            exporter = CircularExporter(plans[values["year"]], values["month"], format=values["format"])
            return export_response(exporter)
        status = 400
    else:
        # Only a preselection: a bad or missing one leaves the default chosen.
        values, _errors = parse(request.GET, plans)
        choice.update({key: values[key] for key in ("year", "month") if key in values})
    context = {
        **admin.site.each_context(request),
        "title": gettext("Monthly rankings circular"),
        "years": list(plans),
        "months": list(range(1, 13)),
        "formats": [(f.value, f.value.upper() if f == Format.XLSX else "CSV (zip)") for f in Format],
        "choice": choice,
        "errors": errors,
        "may_file": may_file,
        "may_view_filings": request.user.has_perm("investment.view_circularfiling"),
        "filings_url": reverse("admin:investment_circularfiling_changelist"),
    }
    return TemplateResponse(request, "admin/circular_export.html", context, status=status)
