"""``{{ amount|wan }}``: an amount in 万元 written as the ledgers' lists write it (thousands
separated by commas, two places, blank when unknown: ``jiaxian.admin.wan``), for the pages
that show amounts outside a list. Django's ``floatformat:"2g"`` would group by the locale's
rule, which for Chinese is by four digits (1,3680.00), not as the clerks' sheets do."""

from django import template

from jiaxian.admin import wan as wan_text

register = template.Library()


@register.filter
def wan(value) -> str:
    return wan_text(value)
