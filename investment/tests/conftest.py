"""Fixtures of the investment app's tests: a chain with a target in negotiation (the pipeline's
and the admin's signing tests); a supervision order (the dispatch loop's tests); the browser
that the Playwright tests drive, the clerk they sign in as (``log_in``) and the demo data they
read.

Debian's Chromium (``apt-get install chromium fonts-wqy-microhei``; ``make test`` does it),
never a browser that ``playwright install`` downloads (it cannot download here).
The font makes the Chinese of the screenshots readable.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from investment.models import IndustrialChain, SupervisionOrder, TargetEnterprise
from investment.tests.helpers import ORDER_DUE, ORDER_ISSUED
from investment.tests.loopback import robot, smtp  # noqa: F401 (fixtures: a real SMTP server, a real robot)

# pytest-django's live server answers in a thread while Playwright's page runs in this one,
# inside an event loop: Django would refuse its database calls (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# The superuser the browser tests sign in as.
USERNAME, PASSWORD = "clerk", "a clerk's password"


@pytest.fixture
def chain(make_chain, key_industry) -> IndustrialChain:
    return make_chain(name="硅基新材料产业链", industries=[key_industry], lead_leader="王县长")


@pytest.fixture
def negotiating(make_link, make_target, chain) -> TargetEnterprise:
    """A target in negotiation since 2023-03-01 on a midstream link of ``chain``."""
    link = make_link(chain=chain, name="负极材料", position="midstream", order=1)
    return make_target(
        link=link,
        company="深圳贝特瑞",
        region="广东深圳",
        contacted_on=datetime.date(2023, 1, 10),
        visited_on=datetime.date(2023, 2, 1),
        negotiating_on=datetime.date(2023, 3, 1),
    )


@pytest.fixture
def make_order(db, make_key_project, department):
    """A saved supervision order, issued on 2023-03-01 and due on 2023-03-31 to ``department``
    about a new key project of that department, unless the fields say otherwise."""

    def make(**fields) -> SupervisionOrder:
        fields.setdefault("year", fields.get("issued_on", ORDER_ISSUED).year)
        fields.setdefault("subject", "开工滞后")
        fields.setdefault("demand", "本月底前完成施工许可办理")
        fields.setdefault("issued_on", ORDER_ISSUED)
        fields.setdefault("due_on", ORDER_DUE)
        fields.setdefault("department", department)
        if not {"key_project", "attraction_project", "problem"} & set(fields):
            fields["key_project"] = make_key_project(department=fields["department"])
        order = SupervisionOrder(**fields)
        order.full_clean()
        order.save()
        return order

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A clerk's browser: Simplified Chinese, a desktop screen."""
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 900}}


# Chromium's words for what the Content-Security-Policy blocked ("Refused to apply inline style
# because it violates the following Content Security Policy directive: …").
CSP_VIOLATION = ("Content Security Policy", "Content-Security-Policy", "Refused to")


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser reported blocking on the pages of one test: console messages and page
    errors that mention the content policy. ``page`` fails the test unless it is empty."""
    return []


@pytest.fixture
def page(page, csp_violations):
    """pytest-playwright's page, listening to the console: any content-policy violation on any
    page of the test (the admin's, the dashboard's, Swagger UI's…) fails it when it ends."""

    def heard(text: str) -> None:
        if any(words in text for words in CSP_VIOLATION):
            csp_violations.append(f"{page.url}: {text}")

    page.on("console", lambda message: heard(message.text))
    page.on("pageerror", lambda error: heard(str(error)))
    yield page
    assert not csp_violations, "the content policy blocked:\n" + "\n".join(csp_violations)


def make_clerk() -> User:
    return User.objects.create_superuser(USERNAME, "clerk@example.com", PASSWORD)


def log_in(page: Page, base: str) -> None:
    """Sign in on the admin's login page at ``base`` as the clerk, and land on the admin's home."""
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#quota-dashboard-module")).to_be_visible()


@pytest.fixture
def demo(transactional_db, demo_data) -> None:
    """The demo data (fixtures/*.json) and the clerk. The live server answers from another
    thread, so the data must be committed: ``transactional_db``, not ``db``."""
    make_clerk()
