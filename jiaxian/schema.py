"""The OpenAPI schema (``/api/schema/``) and its Swagger UI (``/api/docs/``), for signed-in users.

The schema describes the code, not the request: it is generated once per process, by the first
request that asks for it, in one language (English, ``jiaxian.api.SchemaGenerator``: identifiers,
enum names and descriptions are the same whatever the client's Accept-Language says, and the same
as ``manage.py spectacular`` writes), and each format's bytes are kept in memory
from then on. Generating it takes seconds and much memory; answering from memory takes none, so
that schema requests cannot slow the API down.

Swagger UI is drf-spectacular's split view, which serves its set-up script as a file of its own:
the content policy (settings ``CONTENT_SECURITY_POLICY``) allows no inline script.
"""

from __future__ import annotations

import threading

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer


class SchemaCache:
    """The schema document, generated on first use and without a request (as ``manage.py
    spectacular`` does: it cannot depend on who asks), and its rendering by each
    renderer. Threads of one process wait for the one that generates it instead of generating
    it again."""

    def __init__(self, generator_class):
        self.generator_class = generator_class
        self._lock = threading.Lock()
        self._document: dict | None = None
        self._rendered: dict[type[BaseRenderer], bytes] = {}

    def rendered(self, renderer: BaseRenderer) -> bytes:
        """The schema as ``renderer`` writes it (JSON indented as drf-spectacular indents it)."""
        key = type(renderer)
        body = self._rendered.get(key)
        if body is None:
            with self._lock:
                body = self._rendered.get(key)
                if body is None:
                    if self._document is None:
                        self._document = self.generator_class().get_schema(request=None, public=True)
                    body = renderer.render(self._document, renderer_context={})
                    self._rendered[key] = body
        return body

    def clear(self) -> None:
        """Forget the schema (for tests that count its generation)."""
        with self._lock:
            self._document = None
            self._rendered = {}


schema_cache = SchemaCache(SpectacularAPIView.generator_class)


class SchemaView(SpectacularAPIView):
    """``/api/schema/``: YAML, or JSON on ``Accept: application/vnd.oai.openapi+json`` (or
    ``?format=json``), from ``schema_cache``. Anonymous requests are refused (401), in JSON like
    every other refusal of the API."""

    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        content_type = renderer.media_type + (f"; charset={renderer.charset}" if renderer.charset else "")
        response = HttpResponse(schema_cache.rendered(renderer), content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{self._get_filename(request, None)}"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # A refusal (401, 429, 406) is JSON, not a YAML "schema" that a client would try to read.
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI on the schema; its page loads only this server's files (the sidecar's and
    ``jiaxian/api_docs.css``), and its set-up script from ``?script``."""

    template_name = "api/docs.html"
    permission_classes = [IsAuthenticated]


# A browser's page: anonymous visitors are sent to the admin's login, which brings them back.
docs = login_required(DocsView.as_view(url_name="schema"), login_url="admin:login")
