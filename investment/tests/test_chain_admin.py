"""The chains and their lists in the admin: changelists in a fixed number of queries, the
coverage and stage columns and filters, and signing a target from its page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investment.models import AttractionProject, Policy, Responsibility, TargetEnterprise
from investment.pipeline import sign
from investment.tests.helpers import add_chain_rows

# The chain and its target (conftest.py) are dated against a fixed today.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

D = datetime.date


# --- changelists --------------------------------------------------------------------------------


# The queries of each changelist page, whatever the number of rows: session and user (2), the
# count of the filtered rows (1: no count of all, LedgerAdmin.show_full_result_count), the page
# of rows (their related rows joined, the derived columns computed in the same query): 4; then
# what each adds:
QUERIES = {
    "industrialchain": 4 + 2,  # the industries filter's choices; the industries prefetch
    "chainlink": 4 + 1,  # the chain filter's choices (coverage and its counts: subqueries of the page)
    "targetenterprise": 4 + 3,  # the chain and link filters' choices, the regions' distinct values
    "localenterprise": 4 + 2,  # the chain and link filters' choices
    "carrier": 4 + 2,  # the chain and area filters' choices
    "policy": 4 + 3,  # the chains filter's choices, the issuing bodies' distinct values, the chains prefetch
    "responsibility": 4 + 2,  # the chain and department filters' choices
}


@pytest.mark.parametrize("model_name", QUERIES)
def test_changelist_costs_the_same_queries_at_10_and_at_100_rows(
    zh_admin_client, chain, key_industry, department, area, django_assert_num_queries, model_name
):
    url = reverse(f"admin:investment_{model_name}_changelist")
    model = apps.get_model("investment", model_name)
    add_chain_rows(model, 10, chain, industry=key_industry, department=department, area=area)
    zh_admin_client.get(url)  # warm up: the session and caches of a first request
    with CaptureQueriesContext(connection) as at_10:
        response = zh_admin_client.get(url)
    assert response.status_code == 200
    rows_at_10 = len(response.context["cl"].result_list)
    assert len(at_10) == QUERIES[model_name], "\n".join(query["sql"] for query in at_10.captured_queries)
    add_chain_rows(model, 90, chain, industry=key_industry, department=department, area=area)
    # Spread over pages, a list that annotates reads its page's ids first (jiaxian.paging): one
    # query more, whatever the number of rows.
    cl = zh_admin_client.get(url).context["cl"]
    paged = cl.multi_page and bool(cl.queryset.query.annotations)
    with django_assert_num_queries(QUERIES[model_name] + paged):
        response = zh_admin_client.get(url)
    assert len(response.context["cl"].result_list) == min(rows_at_10 + 90, 100)


def test_link_changelist_shows_and_filters_coverage(
    zh_admin_client, chain, make_link, make_local_enterprise, negotiating
):
    covered = make_link(chain=chain, name="石墨", position="upstream", order=1)
    make_local_enterprise(link=covered)
    make_link(chain=chain, name="电池", position="downstream", order=1)
    url = reverse("admin:investment_chainlink_changelist")
    page = zh_admin_client.get(url).content.decode()
    assert {"coverage-covered", "coverage-pursued", "coverage-gap"} <= set(re.findall(r"coverage-\w+", page))
    gaps = zh_admin_client.get(url, {"coverage": "gap"}).context["cl"].result_list
    assert [link.name for link in gaps] == ["电池"]


def test_target_changelist_filters_by_stage_today(zh_admin_client, negotiating, make_target):
    make_target(link=negotiating.link, company="未接触企业")
    url = reverse("admin:investment_targetenterprise_changelist")
    rows = zh_admin_client.get(url, {"stage": "negotiating"}).context["cl"].result_list
    assert [target.company for target in rows] == ["深圳贝特瑞"]
    rows = zh_admin_client.get(url, {"stage": "identified"}).context["cl"].result_list
    assert [target.company for target in rows] == ["未接触企业"]


def test_policy_changelist_filters_the_policies_in_force_today_or_expired(zh_admin_client, today):
    Policy.objects.create(name="长期有效", issuing_body="县政府", valid_from=D(2023, 1, 1))
    Policy.objects.create(name="今日到期", issuing_body="县政府", valid_from=D(2023, 1, 1), valid_until=today)
    Policy.objects.create(name="已过期", issuing_body="县政府", valid_from=D(2022, 1, 1), valid_until=D(2023, 6, 29))
    Policy.objects.create(name="尚未施行", issuing_body="县政府", valid_from=D(2023, 7, 1))
    url = reverse("admin:investment_policy_changelist")

    def names(**params):
        return {policy.name for policy in zh_admin_client.get(url, params).context["cl"].queryset}

    assert names(valid="today") == {"长期有效", "今日到期"}
    assert names(valid="expired") == {"已过期"}
    assert names(valid="someday") == {"长期有效", "今日到期", "已过期", "尚未施行"}


def test_the_chain_page_lists_its_links_with_their_coverage(zh_admin_client, chain, negotiating):
    response = zh_admin_client.get(reverse("admin:investment_industrialchain_change", args=[chain.pk]))
    assert response.status_code == 200
    assert "负极材料" in response.content.decode() and "coverage-pursued" in response.content.decode()


def test_a_responsibility_for_a_target_of_another_chain_is_refused_in_the_admin(
    zh_admin_client, chain, negotiating, make_target
):
    stray = make_target(company="别链企业")
    response = zh_admin_client.post(
        reverse("admin:investment_responsibility_add"),
        {"chain": chain.pk, "person": "张三", "department": "", "duty": "", "target_enterprises": [stray.pk]},
    )
    assert response.status_code == 200
    assert "target_enterprises" in response.context["adminform"].form.errors
    assert not Responsibility.objects.exists()


# --- signing --------------------------------------------------------------------------------------


def sign_url(target) -> str:
    return reverse("admin:investment_targetenterprise_sign", args=[target.pk])


def test_the_target_page_has_a_sign_button_until_it_is_signed(zh_admin_client, negotiating):
    change = reverse("admin:investment_targetenterprise_change", args=[negotiating.pk])
    assert sign_url(negotiating) in zh_admin_client.get(change).content.decode()
    sign(negotiating, signed_on=D(2023, 6, 1), contract_amount=Decimal("1"), fixed_asset_investment=Decimal("1"))
    assert sign_url(negotiating) not in zh_admin_client.get(change).content.decode()


def test_the_sign_form_is_prefilled_from_the_target(zh_admin_client, negotiating, key_industry, today):
    response = zh_admin_client.get(sign_url(negotiating))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["signed_on"] == today
    assert form.initial["industry"] == key_industry
    assert form.initial["leader"] == "王县长"
    assert "贝特瑞" in form.initial["name"]


def sign_form(**changes) -> dict:
    data = {
        "signed_on": "2023-06-01",
        "name": "年产5万吨负极材料项目",
        "project_code": "",
        "investor_origin": "out_of_province",
        "industry": "",
        "area": "",
        "department": "",
        "leader": "王县长",
        "contract_amount": "120000.00",
        "fixed_asset_investment": "90000.00",
        "funds_in_place": "",
        "notes": "",
    }
    return {**data, **changes}


def test_signing_in_the_admin_creates_the_project_and_leads_to_it(zh_admin_client, negotiating, key_industry):
    response = zh_admin_client.post(sign_url(negotiating), sign_form())
    project = AttractionProject.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:investment_attractionproject_change", args=[project.pk])
    assert (project.name, project.industry, project.investor, project.link) == (
        "年产5万吨负极材料项目",
        key_industry,
        "深圳贝特瑞",
        negotiating.link,
    )
    negotiating.refresh_from_db()
    assert negotiating.attraction_project == project and negotiating.signed_on == D(2023, 6, 1)
    assert project.history.latest().history_user.username == "admin"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fixed_asset_investment": "120000.01"}, "fixed_asset_investment"),
        ({"contract_amount": ""}, "contract_amount"),
        ({"signed_on": "2023-02-28"}, "signed_on"),  # before the negotiation began
        ({"signed_on": "2023-07-01"}, "signed_on"),  # after today
    ],
)
def test_a_refused_signing_shows_the_error_next_to_the_field_and_writes_nothing(
    zh_admin_client, negotiating, changes, field
):
    response = zh_admin_client.post(sign_url(negotiating), sign_form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert re.search(rf'class="form-row errors field-{field}"', response.content.decode())
    assert not AttractionProject.objects.exists()
    negotiating.refresh_from_db()
    assert negotiating.signed_on is None


def test_signing_a_signed_target_again_leads_back_with_a_message(zh_admin_client, negotiating):
    assert zh_admin_client.post(sign_url(negotiating), sign_form()).status_code == 302
    response = zh_admin_client.post(sign_url(negotiating), sign_form(name="第二个"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:investment_targetenterprise_change", args=[negotiating.pk])
    assert AttractionProject.objects.count() == 1
    assert any("贝特瑞" in str(message) for message in response.context["messages"])


def test_a_sign_form_opened_before_someone_elses_save_is_refused_and_signs_nothing(zh_admin_client, negotiating):
    page = zh_admin_client.get(sign_url(negotiating)).content.decode()
    assert 'name="seen_version" value="1"' in page
    changed = TargetEnterprise.objects.get(pk=negotiating.pk)
    changed.next_step = "再谈一次"
    changed.save()  # someone else's change: version 2
    response = zh_admin_client.post(sign_url(negotiating), sign_form(seen_version="1"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Someone else saved this target (now version 2) after you opened this form (version 1)" in (
        response.content.decode()
    )
    assert not AttractionProject.objects.exists()
    assert TargetEnterprise.objects.get(pk=negotiating.pk).signed_on is None
    assert zh_admin_client.post(sign_url(negotiating), sign_form(seen_version="2")).status_code == 302


def test_signing_needs_to_add_attraction_projects(client, negotiating):
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_targetenterprise", "change_targetenterprise", "edit_all_departments"]
        )
    )
    client.force_login(clerk)
    change = reverse("admin:investment_targetenterprise_change", args=[negotiating.pk])
    page = client.get(change)
    assert page.status_code == 200  # may change the target ...
    assert sign_url(negotiating) not in page.content.decode()  # ... but not add the project
    assert client.post(sign_url(negotiating), sign_form()).status_code == 403
    assert not AttractionProject.objects.exists()
