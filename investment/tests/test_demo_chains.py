"""The demo's three industrial chains (fixtures/06_chains.json): each map shows all three
coverages, each gap has targets to follow, the targets cover every stage of the lead pipeline,
and the signed ones agree with the 2023 attraction projects their signing created."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from investment import quotas
from investment.chain_map_page import admin_map as chain_map
from investment.models import AttractionProject, IndustrialChain, TargetEnterprise

pytestmark = pytest.mark.django_db

YEAR_END = datetime.date(2023, 12, 31)
CHAINS = ["高端医疗器械及用品", "铸铁炊具", "硅基负极材料"]


def test_the_demo_has_the_three_chains_each_tied_to_its_key_industry(demo_data):
    chains = IndustrialChain.objects.order_by("pk").prefetch_related("industries")
    assert [chain.name for chain in chains] == CHAINS
    for chain in chains:
        assert [industry.is_key for industry in chain.industries.all()] == [True]
        assert chain.lead_leader and chain.chain_master
        assert 5 <= chain.links.count() <= 9
        assert chain.carriers.exists() and chain.policies.exists() and chain.responsibilities.exists()


@pytest.mark.parametrize("as_of", [YEAR_END, datetime.date(2026, 11, 27)], ids=["2023-12-31", "later"])
def test_each_demo_map_shows_covered_pursued_and_gap_links_and_every_gap_has_targets(demo_data, as_of):
    for chain in IndustrialChain.objects.all():
        data = chain_map(chain, as_of)
        assert all(count > 0 for count in data.coverage_counts.values()), (chain.name, data.coverage_counts)
        assert {column.position for column in data.columns if column.links} == {"upstream", "midstream", "downstream"}
        for link in data.links:
            if link.coverage == "gap":
                assert TargetEnterprise.objects.filter(link_id=link.id).exists(), link.name


def test_the_demo_targets_are_at_every_stage(demo_data):
    stages = Counter(target.stage_on(YEAR_END) for target in TargetEnterprise.objects.all())
    assert set(stages) == {"identified", "contacted", "visited", "negotiating", "signed"}
    for chain in IndustrialChain.objects.all():
        chain_stages = {t.stage_on(YEAR_END) for t in TargetEnterprise.objects.filter(link__chain=chain)}
        assert {"identified", "signed"} <= chain_stages, chain.name


def test_the_signed_demo_targets_are_their_projects_investors_signed_that_day_on_that_link(demo_data):
    signed = TargetEnterprise.objects.filter(signed_on__isnull=False).select_related("attraction_project")
    assert signed.count() >= 6
    for target in signed:
        project = target.attraction_project
        assert (project.year, project.signed_on, project.investor, project.link_id) == (
            2023,
            target.signed_on,
            target.company,
            target.link_id,
        )
        assert target.link.chain.industries.filter(pk=project.industry_id).exists()
    # Projects on a link share the chain's industry; the 60 signed and 4 negotiating stay as they were.
    for project in AttractionProject.objects.filter(link__isnull=False).select_related("link__chain"):
        assert project.link.chain.industries.filter(pk=project.industry_id).exists(), project.name
    assert AttractionProject.objects.filter(year=2023, signed_on__isnull=False).count() == 60


def test_the_demo_conversion_of_2023_counts_each_chain_s_pipeline(demo_data):
    lines = {line.chain: line for line in quotas.chain_conversion(2023, YEAR_END)}
    assert sorted(lines) == sorted(CHAINS)
    for line in lines.values():
        assert line.targets > line.negotiating >= line.signed > 0
        assert line.signed >= line.started
