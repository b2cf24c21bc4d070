"""``{% capture %}``: markup kept in a variable, escaped once, placed by a translated sentence."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation


def render(source: str, **context) -> str:
    return Template("{% load capture %}" + source).render(Context(context))


def test_the_block_is_kept_not_written_and_its_variables_are_escaped_once():
    source = '{% capture as link %}<a href="{{ url }}">{{ text }}</a>{% endcapture %}[{{ link }}]'
    assert render(source, url="/x?a=1&b=2", text="<b>") == '[<a href="/x?a=1&amp;b=2">&lt;b&gt;</a>]'


def test_a_captured_piece_stands_in_a_translated_sentence():
    source = (
        "{% load i18n %}{% capture as count %}<em>{{ n }}</em>{% endcapture %}"
        "{% blocktranslate %}{{ count }} projects{% endblocktranslate %}"
    )
    with translation.override("en"):
        assert render(source, n=3) == "<em>3</em> projects"
    with translation.override("zh-hans"):
        assert render(source, n=3) == "<em>3</em> 个项目"


def test_a_wrong_use_is_a_syntax_error():
    with pytest.raises(TemplateSyntaxError):
        render("{% capture link %}x{% endcapture %}")
