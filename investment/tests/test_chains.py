"""Industrial chains and their lists: the rules of each record, a link's coverage and a target's
stage at their boundaries, each computed in Python and in the database, and proved to agree."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from investment.choices import (
    CarrierKindChoices,
    CarrierPriceUnitChoices,
    CarrierSizeUnitChoices,
    ChainLinkCoverageChoices as Coverage,
    TargetEnterpriseStageChoices as Stage,
)
from investment.models import Carrier, ChainLink, Policy, Responsibility, TargetEnterprise
from investment.pipeline import sign

D = datetime.date
pytestmark = pytest.mark.django_db


def errors_of(record) -> dict:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


def sign_on(target, day, industry):
    """Sign ``target`` on ``day`` as a project of ``industry``; the amounts matter to no test here."""
    return sign(
        target, signed_on=day, industry=industry, contract_amount=Decimal("1"), fixed_asset_investment=Decimal("1")
    )


# --- links -------------------------------------------------------------------------------------


def test_links_list_upstream_before_midstream_before_downstream_then_by_order(make_chain, make_link):
    chain = make_chain()
    down = make_link(chain=chain, position="downstream", order=1, name="下游")
    up2 = make_link(chain=chain, position="upstream", order=2, name="上游二")
    mid = make_link(chain=chain, position="midstream", order=1, name="中游")
    up1 = make_link(chain=chain, position="upstream", order=1, name="上游一")
    assert list(chain.links.all()) == [up1, up2, mid, down]


def test_a_link_order_is_unique_per_chain_and_position_and_the_error_names_order(make_chain, make_link):
    chain = make_chain()
    make_link(chain=chain, position="upstream", order=1)
    assert "order" in errors_of(ChainLink(chain=chain, position="upstream", order=1, name="另一个"))
    ChainLink(chain=chain, position="midstream", order=1, name="另一个").full_clean()  # other position: fine


def test_a_link_name_is_unique_per_chain(make_chain, make_link):
    chain = make_chain()
    make_link(chain=chain, name="负极材料")
    assert "name" in errors_of(ChainLink(chain=chain, position="midstream", order=9, name="负极材料"))
    make_link(name="负极材料")  # on another chain: fine


def test_a_link_order_starts_at_one(make_link):
    link = make_link()
    link.order = 0
    assert "order" in errors_of(link)


# --- coverage ----------------------------------------------------------------------------------

AS_OF = D(2023, 6, 30)


def coverage_cases():
    """(description, local enterprises, targets as (contacted_on, negotiating_on, signed_on)), expected."""
    return [
        ("nothing", 0, [], Coverage.GAP),
        ("a target not contacted yet", 0, [(None, None, None)], Coverage.GAP),
        ("a target contacted the day after", 0, [(D(2023, 7, 1), None, None)], Coverage.GAP),
        ("a target contacted that very day", 0, [(AS_OF, None, None)], Coverage.PURSUED),
        ("a target negotiating", 0, [(D(2023, 1, 5), D(2023, 3, 1), None)], Coverage.PURSUED),
        ("a target signed that very day", 0, [(D(2023, 1, 5), D(2023, 3, 1), AS_OF)], Coverage.PURSUED),
        ("one local enterprise", 1, [], Coverage.COVERED),
        ("a local enterprise and a target", 1, [(D(2023, 1, 5), None, None)], Coverage.COVERED),
    ]


@pytest.mark.parametrize(
    ("local", "targets", "expected"),
    [case[1:] for case in coverage_cases()],
    ids=[case[0] for case in coverage_cases()],
)
def test_coverage_in_python_and_in_the_database_agree_at_the_boundaries(
    make_link, make_target, make_local_enterprise, make_attraction_project, local, targets, expected
):
    link = make_link()
    for _ in range(local):
        make_local_enterprise(link=link)
    for contacted, negotiating, signed in targets:
        target = make_target(link=link, contacted_on=contacted, visited_on=negotiating, negotiating_on=negotiating)
        if signed:
            sign_on(target, signed, make_attraction_project().industry)
    link.refresh_from_db()
    assert link.coverage_on(AS_OF) == expected
    annotated = ChainLink.objects.with_coverage(AS_OF).get(pk=link.pk)
    assert annotated.coverage_as_of == expected
    assert (annotated.local_enterprise_count, annotated.courted_count, annotated.signed_count) == link.coverage_counts(
        AS_OF
    )


def test_coverage_counts_courted_and_signed_targets_apart(today, make_link, make_target, key_industry):
    link = make_link()
    make_target(link=link, contacted_on=D(2023, 2, 1))
    make_target(link=link, contacted_on=D(2023, 2, 1), visited_on=D(2023, 3, 1))
    signed = make_target(link=link, contacted_on=D(2023, 2, 1), visited_on=D(2023, 3, 1), negotiating_on=D(2023, 4, 1))
    sign_on(signed, D(2023, 5, 1), key_industry)
    row = ChainLink.objects.with_coverage(AS_OF).get(pk=link.pk)
    assert (row.local_enterprise_count, row.courted_count, row.signed_count) == (0, 2, 1)
    # Before the signing, the signed one was still being courted.
    row = ChainLink.objects.with_coverage(D(2023, 4, 30)).get(pk=link.pk)
    assert (row.courted_count, row.signed_count) == (3, 0)


def test_the_coverage_property_reads_the_annotation_when_there_is_one(today, make_link):
    link = make_link()
    annotated = ChainLink.objects.with_coverage(AS_OF).get(pk=link.pk)
    annotated.coverage_as_of = "covered"  # as if the database said so
    assert annotated.coverage == "covered"
    assert link.coverage == Coverage.GAP


# --- target enterprises: steps and stage ---------------------------------------------------------


STAGE_CASES = [
    ("not contacted", {}, Stage.IDENTIFIED),
    ("contacted the day after", {"contacted_on": D(2023, 7, 1)}, Stage.IDENTIFIED),
    ("contacted that day", {"contacted_on": AS_OF}, Stage.CONTACTED),
    ("visited that day", {"contacted_on": D(2023, 6, 1), "visited_on": AS_OF}, Stage.VISITED),
    (
        "visited, negotiating the day after",
        {"contacted_on": D(2023, 6, 1), "visited_on": D(2023, 6, 2), "negotiating_on": D(2023, 7, 1)},
        Stage.VISITED,
    ),
    (
        "negotiating that day",
        {"contacted_on": D(2023, 6, 1), "visited_on": D(2023, 6, 2), "negotiating_on": AS_OF},
        Stage.NEGOTIATING,
    ),
    (
        "all steps on one day",
        {"contacted_on": AS_OF, "visited_on": AS_OF, "negotiating_on": AS_OF},
        Stage.NEGOTIATING,
    ),
]


@pytest.mark.parametrize(("dates", "expected"), [c[1:] for c in STAGE_CASES], ids=[c[0] for c in STAGE_CASES])
def test_stage_in_python_and_in_the_database_agree_at_the_boundaries(make_target, dates, expected):
    target = make_target(**dates)
    assert target.stage_on(AS_OF) == expected
    assert TargetEnterprise.objects.with_stage(AS_OF).get(pk=target.pk).stage_as_of == expected
    assert TargetEnterprise.objects.in_stage(expected, AS_OF).filter(pk=target.pk).exists()
    others = [stage for stage in Stage.values if stage != expected]
    assert not any(TargetEnterprise.objects.in_stage(s, AS_OF).filter(pk=target.pk).exists() for s in others)


def test_a_signed_target_is_signed_from_its_signing_day_in_python_and_in_the_database(today, make_target, key_industry):
    target = make_target(contacted_on=D(2023, 1, 1), visited_on=D(2023, 2, 1), negotiating_on=D(2023, 3, 1))
    sign_on(target, D(2023, 5, 10), key_industry)
    target.refresh_from_db()
    for day, expected in [(D(2023, 5, 9), Stage.NEGOTIATING), (D(2023, 5, 10), Stage.SIGNED)]:
        assert target.stage_on(day) == expected
        assert TargetEnterprise.objects.with_stage(day).get(pk=target.pk).stage_as_of == expected


def test_an_unknown_stage_is_a_value_error():
    with pytest.raises(ValueError, match="unknown stage"):
        TargetEnterprise.objects.in_stage("courting", AS_OF)


def test_a_step_needs_the_earlier_ones_and_the_error_names_it(today, make_link):
    target = TargetEnterprise(link=make_link(), company="甲公司", visited_on=D(2023, 3, 1))
    assert "visited_on" in errors_of(target)
    target = TargetEnterprise(
        link=make_link(), company="甲公司", contacted_on=D(2023, 3, 1), negotiating_on=D(2023, 4, 1)
    )
    assert "negotiating_on" in errors_of(target)


def test_a_step_may_fall_on_the_day_of_the_one_before_but_not_before_it(today, make_link):
    link = make_link()
    TargetEnterprise(link=link, company="同日", contacted_on=D(2023, 3, 1), visited_on=D(2023, 3, 1)).full_clean()
    early = TargetEnterprise(link=link, company="提前", contacted_on=D(2023, 3, 1), visited_on=D(2023, 2, 28))
    assert "visited_on" in errors_of(early)


def test_no_step_and_no_contact_is_after_today(today, make_link):
    tomorrow = today + datetime.timedelta(days=1)
    target = TargetEnterprise(link=make_link(), company="甲", contacted_on=tomorrow, last_contact_on=tomorrow)
    assert {"contacted_on", "last_contact_on"} <= set(errors_of(target))
    TargetEnterprise(link=make_link(), company="乙", contacted_on=today, last_contact_on=today).full_clean()


def test_the_last_contact_is_not_before_the_first(today, make_link):
    target = TargetEnterprise(link=make_link(), company="甲", contacted_on=D(2023, 3, 1), last_contact_on=D(2023, 2, 1))
    assert "last_contact_on" in errors_of(target)


def test_a_signing_date_without_its_project_is_refused_by_clean_and_by_the_database(today, make_target):
    target = make_target(contacted_on=D(2023, 1, 1), visited_on=D(2023, 1, 2), negotiating_on=D(2023, 1, 3))
    target.signed_on = D(2023, 2, 1)
    assert "signed_on" in errors_of(target)
    with pytest.raises(IntegrityError), transaction.atomic():
        target.save()


def test_a_project_without_a_signing_date_is_refused(today, make_target, make_attraction_project):
    target = make_target()
    target.attraction_project = make_attraction_project()
    assert "attraction_project" in errors_of(target)


def test_a_company_is_a_target_of_a_link_once(make_link, make_target):
    link = make_link()
    make_target(link=link, company="宁德时代")
    assert "company" in errors_of(TargetEnterprise(link=link, company="宁德时代"))
    make_target(link=make_link(), company="宁德时代")  # another link: fine


def test_a_link_with_targets_or_local_enterprises_cannot_be_deleted(make_target, make_local_enterprise):
    target = make_target()
    with pytest.raises(ProtectedError):
        target.link.delete()
    enterprise = make_local_enterprise()
    with pytest.raises(ProtectedError):
        enterprise.link.delete()


def test_deleting_an_empty_chain_deletes_its_links(make_chain, make_link):
    chain = make_chain()
    make_link(chain=chain)
    chain.delete()
    assert not ChainLink.objects.exists()


# --- the other lists ---------------------------------------------------------------------------


def test_a_carrier_price_needs_its_unit(make_chain):
    carrier = Carrier(
        kind=CarrierKindChoices.LAND,
        name="郏国土2023-05",
        location="产业集聚区",
        size=Decimal("50.00"),
        size_unit=CarrierSizeUnitChoices.MU,
        price=Decimal("12.50"),
    )
    assert "price_unit" in errors_of(carrier)
    carrier.price_unit = CarrierPriceUnitChoices.WAN_PER_MU
    carrier.full_clean()
    carrier.price = None  # negotiable
    carrier.full_clean()


def test_a_carrier_area_cannot_be_negative():
    carrier = Carrier(
        kind=CarrierKindChoices.FACTORY, name="1号厂房", location="园区", size=Decimal("-1"), size_unit="m2"
    )
    assert "size" in errors_of(carrier)


def test_a_policy_cannot_end_before_it_begins_and_is_valid_on_both_ends():
    policy = Policy(
        name="招商引资优惠政策", issuing_body="县政府", valid_from=D(2023, 1, 1), valid_until=D(2022, 12, 31)
    )
    assert "valid_until" in errors_of(policy)
    policy.valid_until = D(2023, 12, 31)
    policy.full_clean()
    assert policy.is_valid_on(D(2023, 1, 1)) and policy.is_valid_on(D(2023, 12, 31))
    assert not policy.is_valid_on(D(2024, 1, 1)) and not policy.is_valid_on(D(2022, 12, 31))
    policy.valid_until = None
    assert policy.is_valid_on(D(2099, 1, 1))


def test_a_policy_valid_condition_agrees_with_is_valid_on(make_chain):
    policy = Policy.objects.create(
        name="政策", issuing_body="县政府", valid_from=D(2023, 1, 1), valid_until=D(2023, 12, 31)
    )
    for day in (D(2022, 12, 31), D(2023, 1, 1), D(2023, 12, 31), D(2024, 1, 1)):
        assert Policy.objects.filter(Policy.valid_condition(day), pk=policy.pk).exists() == policy.is_valid_on(day)


def test_a_responsibility_refuses_targets_of_another_chain(make_chain, make_link, make_target):
    chain = make_chain()
    ours = make_target(link=make_link(chain=chain))
    theirs = make_target(link=make_link(), company="别的链企业")
    responsibility = Responsibility(chain=chain, person="张三")
    assert responsibility.target_errors([ours]) == {}
    assert "别的链企业" in responsibility.target_errors([ours, theirs])["target_enterprises"][0]


def test_every_new_ledger_keeps_its_history(make_target):
    target = make_target()
    target.next_step = "再次拜访"
    target.save()
    assert target.history.count() == 2
    assert target.version == 2
