"""The demo data's milestones, monthly progress and problems: every warning colour shows at
each quarter's end of 2023, the admin's column, the API and the dashboard agree."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from investment import quotas
from projects.models import KeyProject, YearPlan

d = datetime.date

# green, yellow, red of the 65 key projects listed for 2023, at each quarter's end (the
# profiles of build_demo.PROFILES: 41 on time, 6 each of the four others; the 6 "slow" ones
# are green at Q1, yellow after; the 6 "far behind" yellow at Q1, red after).
COLOURS = {
    d(2023, 3, 31): (47, 12, 6),
    d(2023, 6, 30): (41, 12, 12),
    d(2023, 9, 30): (41, 12, 12),
    d(2023, 12, 31): (41, 12, 12),
}


@pytest.mark.parametrize("as_of", COLOURS)
def test_every_colour_shows_at_each_quarter_end_and_the_model_agrees(demo_data, as_of):
    plan = YearPlan.for_year(2023)
    listed = KeyProject.objects.listed_for(2023, as_of=as_of).with_warning(as_of, plan)
    lights = {project.pk: project.warning for project in listed}
    counts = Counter(lights.values())
    assert (counts["green"], counts["yellow"], counts["red"]) == COLOURS[as_of]
    signals = quotas.key_project_signals(plan, as_of)
    assert (signals.green, signals.yellow, signals.red) == COLOURS[as_of]
    for project in KeyProject.objects.filter(pk__in=list(lights)[::7]):
        assert project.warning_on(as_of, plan) == lights[project.pk], project
