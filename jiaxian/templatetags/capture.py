"""``{% capture as name %}…{% endcapture %}``: the rendered block (escaped as it was rendered)
kept in ``name`` instead of written out, so that a piece of markup — a link around a figure —
can stand in a translated sentence: ``{% blocktranslate with count=link %}{{ count }}
projects{% endblocktranslate %}`` lets the translation put it where its language wants it.
Django's own tags cannot do this: ``include`` writes out, and ``with`` takes values only."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str):
        self.nodelist, self.name = nodelist, name

    def render(self, context) -> str:
        # Safe: every variable inside the block was escaped when the block was rendered.
        context[self.name] = mark_safe(self.nodelist.render(context))
        return ""


@register.tag
def capture(parser, token) -> CaptureNode:
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
