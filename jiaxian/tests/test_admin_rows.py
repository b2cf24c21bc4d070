"""The ledgers' list rows written out by ``jiaxian.admin`` (the action checkbox, the change
link reversed once a page) are the HTML Django's own code makes for them."""

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import translation

from jiaxian.admin import LedgerAdmin

TRICKY = "甲<乙>&\"丙'项目"


@pytest.fixture
def records(make_key_project, make_bond_reserve, make_attraction_project):
    return [
        make_key_project(name=TRICKY),
        make_bond_reserve(name=TRICKY),
        make_attraction_project(name=TRICKY),
    ]


@pytest.mark.django_db
def test_the_checkbox_is_djangos_widget_rendering(records):
    for record in records:
        model_admin = admin.site._registry[type(record)]
        assert isinstance(model_admin, LedgerAdmin)
        assert model_admin.action_checkbox(record) == ModelAdmin.action_checkbox(model_admin, record)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_changelist_row_has_djangos_checkbox_and_link(admin_client, records, language):
    for record in records:
        opts = record._meta
        model_admin = admin.site._registry[type(record)]
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        link = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=(quote(record.pk),))
        assert f'href="{link}"' in html
        with translation.override(language):
            assert str(ModelAdmin.action_checkbox(model_admin, record)) in html
