"""The admin's page of the monthly rankings circular: pick a year and a month, then download the
circular (``circular.CircularExporter``) as XLSX or as a zip of CSVs. A thin door, like the
command and the API; the 排名通报 page links here with its year and month chosen. Wrapped in
``admin.site.admin_view`` by the URLconf."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from jiaxian import periods
from jiaxian.exporting import Format, export_response
from projects.models import YearPlan

from .circular import CircularExporter


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
    """GET: the form (``year`` and ``month`` may be given to preselect). POST: the file."""
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
    }
    return TemplateResponse(request, "admin/circular_export.html", context, status=status)
