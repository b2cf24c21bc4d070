"""The API's JSON parser: DRF's, after a count of the body's nesting.

Python's ``json`` recurses once per level of nesting, so that a body of a thousand ``[`` is a
RecursionError (a 500) before any view sees it. The nesting is counted first, without
recursion, over the body's brackets outside strings; deeper than ``settings.JSON_MAX_DEPTH``
is a 400 and the body is never decoded."""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# A JSON string (escapes included) or one bracket: strings are skipped whole, by the regex
# engine, so the loop below runs once per string or bracket, not per character.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def nesting_depth(text: str, limit: int) -> int:
    """The deepest nesting of arrays and objects in ``text`` (0 for a scalar), counted up to
    ``limit + 1`` at most (the count stops there). Brackets inside strings do not count;
    unbalanced or malformed text is counted as far as it goes (the JSON decoder refuses it)."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif token in "]}":
            depth -= 1
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a body nested deeper than ``settings.JSON_MAX_DEPTH``
    (a 400 that says so) before decoding it."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        # DRF 3.18's helper; djangorestframework-stubs (3.16, the last for django-stubs 5.2) lack it.
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        limit = settings.JSON_MAX_DEPTH
        if nesting_depth(text, limit) > limit:
            raise ParseError(
                _("JSON parse error - the body is nested deeper than %(limit)s levels.") % {"limit": limit}
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)
