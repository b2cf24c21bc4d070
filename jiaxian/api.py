"""REST plumbing shared by both apps: the base serializer that runs the models' own
validation, the permission rule and the pagination. Nothing about the domain lives here."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import pagination, permissions, serializers
from rest_framework.settings import api_settings


class ValidatedModelSerializer(serializers.ModelSerializer):
    """A model serializer that refuses what the admin and the import refuse.

    ``validate`` applies the incoming values to a copy of the instance (never the live one,
    so that a refused write leaves nothing behind) and runs the model's ``full_clean()``;
    its errors come back under the same field names. Fields the resource does not have are
    refused, each by name, instead of being silently dropped.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            errors = exc.message_dict
            if NON_FIELD_ERRORS in errors:
                errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(errors) from exc
        return attrs


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions decide every action, reading included: a user needs
    ``view_<model>`` to list or retrieve (DRF's default lets any signed-in user read)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
