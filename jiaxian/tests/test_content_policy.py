"""The Content-Security-Policy (settings ``CONTENT_SECURITY_POLICY``, django-csp): on every kind
of response, allowing nothing inline and nothing from elsewhere; and our templates and code need
nothing inline. (That the pages work under it in a browser: investment/tests/test_browser_csp.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import path
from rest_framework.test import APIClient

from jiaxian import urls as site_urls
from jiaxian.importing import PreviewDiff

BASE_DIR = Path(__file__).resolve().parents[2]


def boom(request):
    raise RuntimeError("a bug")


# The site's routes plus one that fails, for the 500 answers (``@pytest.mark.urls(__name__)``).
urlpatterns = [path("api/boom/", boom), path("boom/", boom), *site_urls.urlpatterns]
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def policy(response) -> dict[str, list[str]]:
    """The response's policy as directive → sources."""
    header = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


def assert_strict(response) -> None:
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # Nothing inline, nothing evaluated, no other host, for scripts, styles or anything else.
    sources = [source for values in directives.values() for source in values]
    assert not [s for s in sources if s.startswith("'unsafe") or "://" in s or s in ("*", "http:", "https:")]
    assert not {"script-src", "style-src", "style-src-attr", "script-src-attr"} & set(directives)


@pytest.fixture
def token_client(db) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("robot"))
    return client


def test_an_admin_page_carries_the_policy(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize("url", ["/admin/login/", "/"])
def test_the_login_page_and_a_redirect_carry_it_too(client, db, url):
    assert_strict(client.get(url))


@pytest.mark.parametrize(
    "url", ["/admin/dashboard/?year=2023", "/admin/progress/monthly/", "/admin/exports/quarterly/", "/api/docs/"]
)
def test_our_own_pages_and_the_docs_carry_it(admin_client, make_year_plan, url):
    make_year_plan(2023)
    response = admin_client.get(url)
    assert response.status_code == 200
    assert_strict(response)


def test_an_api_answer_a_refusal_and_the_schema_carry_it(token_client):
    assert_strict(token_client.get("/api/industries/"))
    assert_strict(APIClient().get("/api/industries/"))  # 401
    assert_strict(token_client.get("/api/schema/"))


def test_a_static_file_carries_it(client):
    response = client.get("/static/jiaxian/admin.css")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/api/nothing-here/", "/nothing-here/"])
def test_a_404_carries_it_in_json_and_in_html(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert_strict(response)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "content_type"), [("/api/boom/", "application/json"), ("/boom/", "text/html")])
def test_a_500_carries_it_in_json_and_in_html(client, url, content_type):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 500
    assert response["Content-Type"].startswith(content_type)
    assert_strict(response)


# --- nothing inline in our own pages ----------------------------------------------------------

# What the policy blocks in markup: a <style> block, a <script> without src, a style attribute,
# an event handler attribute (onclick=…), a javascript: link.
INLINE = re.compile(
    r"<style\b|<script\b(?![^>]*\bsrc=)|\sstyle\s*=|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


def inline_code(text: str) -> list[str]:
    return [match.group(0) for match in INLINE.finditer(text)]


@pytest.mark.parametrize(
    ("markup", "found"),
    [
        ("<style>p {}</style>", ["<style"]),
        ("<script>alert(1)</script>", ["<script"]),
        ('<div class="fill" style="width: 5%">', [" style="]),
        ('<a onclick="go()">', [" onclick="]),
        ('<a href="javascript:go()">', ["javascript:"]),
        ('<script src="{% static \'x.js\' %}"></script><rect width="5%" fill="#fff">', []),
    ],
)
def test_the_template_check_finds_each_kind_of_inline_code(markup, found):
    assert inline_code(markup) == found


def test_no_template_of_ours_has_inline_script_or_style():
    templates = sorted((BASE_DIR / "templates").rglob("*.html"))
    assert len(templates) >= 10
    offenders = {str(t.relative_to(BASE_DIR)): inline_code(t.read_text()) for t in templates}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_no_python_of_ours_writes_a_style_attribute():
    sources = [
        p
        for folder in ("jiaxian", "projects", "investment")
        for p in (BASE_DIR / folder).rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts
    ]
    offenders = [str(p.relative_to(BASE_DIR)) for p in sources if re.search(r"""\sstyle=["'{]""", p.read_text())]
    assert offenders == []


def test_the_import_preview_marks_changes_with_tags_not_styles():
    diff = object.__new__(PreviewDiff)  # its values set here rather than read from a resource
    diff.left, diff.right, diff.new = ["郏县 <水务>", "2023-03-01"], ["郏县 <水务>\n二期", "2023-03-01"], False
    assert diff.as_html() == [
        "<span>郏县 &lt;水务&gt;</span><ins>&para;<br>二期</ins>",
        "<span>2023-03-01</span>",
    ]
    diff.left, diff.new = ["", ""], True
    assert diff.as_html() == ["<ins>郏县 &lt;水务&gt;&para;<br>二期</ins>", "<ins>2023-03-01</ins>"]
