"""The classes ``settings.REST_FRAMEWORK`` names. DRF imports them while its own views
module loads, so this module imports nothing of DRF's views or viewsets."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters, pagination, permissions
from rest_framework.settings import api_settings

from jiaxian.paging import IdsFirstPaginator


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions decide every action, reading included: a user needs
    ``view_<model>`` to list or retrieve (DRF's default lets any signed-in user read)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def _queryset(self, view):
        # Only the queryset's model is read. DRF asks the view's get_queryset() for it, which
        # builds a ledger's list again, annotations and all (the warning light's expressions:
        # a tenth of a key-project page's time); the class's queryset names the same model
        # (jiaxian/tests/test_api_conventions.py checks every registered view).
        queryset = getattr(view, "queryset", None)
        return queryset if queryset is not None else super()._queryset(view)


class SignedInWithPermissions(permissions.BasePermission):
    """Signed in with every permission of ``required`` (``app_label.codename``), for a view or
    an action that is not one model's reading or writing; ``message`` tells the one refused
    which permissions it needs."""

    required: tuple[str, ...]

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(self.required))


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` (from 1) and ``?page_size=`` (1 to 500, default 50). A page size that is
    not a whole number in that range is a 400 naming it, not quietly replaced."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = IdsFirstPaginator

    def get_page_size(self, request):
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        value = raw[-1]
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise exceptions.ValidationError({self.page_query_param: ["A whole number from 1."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class OrderingFilter(filters.OrderingFilter):
    """``?ordering=`` as DRF reads it (``name``, ``-name``, ``name,-year``) among the view's
    ``ordering_fields``; a field that is not one of them is a 400 naming it, where DRF's own
    would drop it silently and a client would believe its list sorted."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = [item[0] for item in self.get_valid_fields(queryset, view, {"request": request})]
        unknown = [term for term in fields if term.removeprefix("-") not in valid]
        if unknown:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        _("“%(value)s” is not a field to order by; the fields are: %(fields)s.")
                        % {"value": term, "fields": ", ".join(valid)}
                        for term in unknown
                    ]
                }
            )
        return fields

    def get_schema_operation_parameters(self, view):
        """``ordering`` as what it is: a comma-separated list (form style, not exploded) of the
        view's fields, each optionally with ``-``, so that the schema itself says which values
        are accepted (a generated client or a fuzzer sends only those)."""
        parameters = super().get_schema_operation_parameters(view)
        names = self.schema_field_names(view)
        if names:
            for parameter in parameters:
                parameter["description"] = (
                    f"Fields to order by, comma-separated, `-` before a field for descending: {', '.join(names)}. "
                    "Any other field is a 400."
                )
                parameter["schema"] = {
                    "type": "array",
                    "items": {"type": "string", "enum": [term for name in names for term in (name, f"-{name}")]},
                }
                parameter["style"] = "form"
                parameter["explode"] = False
        return parameters

    def schema_field_names(self, view) -> list[str]:
        """The fields ``view`` sorts by, as ``remove_invalid_fields`` will judge them: its
        ``ordering_fields``, or, without them, DRF's default (the serializer's model fields);
        empty when neither can be known without a request."""
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, list | tuple):
            return [item if isinstance(item, str) else item[0] for item in fields]
        queryset = getattr(view, "queryset", None)
        if fields is None and queryset is not None:
            return [item[0] for item in self.get_default_valid_fields(queryset, view, {})]
        return []


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing a query parameter that nothing reads: a misspelt filter
    (``?total_investmen_min=``) is a 400 naming it and the parameters there are, where it would
    be dropped silently and a client would believe its list filtered.

    Read are the filter set's filters, the other backends' (``ordering``), the paginator's
    (``page``, ``page_size``), DRF's ``format`` and what the view lists in
    ``query_parameters`` (``as_of``)."""

    # Where DRF's backends and paginators keep the names of the parameters they read.
    PARAMETER_ATTRIBUTES = ("ordering_param", "search_param", "page_query_param", "page_size_query_param")

    def filter_queryset(self, request, queryset, view):
        accepted = self.accepted_parameters(queryset, view)
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            message = _("Unknown parameter; the parameters are: %(parameters)s.") % {
                "parameters": ", ".join(sorted(accepted))
            }
            raise exceptions.ValidationError({name: [message] for name in unknown})
        return super().filter_queryset(request, queryset, view)

    def accepted_parameters(self, queryset, view) -> set[str]:
        filterset_class = self.get_filterset_class(view, queryset)
        accepted = set(filterset_class.base_filters) if filterset_class is not None else set()
        accepted.update(getattr(view, "query_parameters", ()))
        accepted.add(api_settings.URL_FORMAT_OVERRIDE)
        for holder in [*getattr(view, "filter_backends", ()), getattr(view, "paginator", None)]:
            for attribute in self.PARAMETER_ATTRIBUTES:
                if getattr(holder, attribute, None):
                    accepted.add(getattr(holder, attribute))
        return accepted
