"""One paginator for the admin's lists and the API's: a page's records are found by their ids
first, then read with everything the list annotates for those ids only.

A list's queryset carries correlated subqueries (a key project's warning light, its problem
counts, a reserve's coverage warning). Sliced as it is, a deep page makes the database compute
them for every row it skips: page 900 of the key projects computed the light 45,000 times to
show 50. Here the page's ids are selected by the same filter and order (Django leaves the
annotations that neither filters nor orders out of that query), then the page's records by those
ids, in their order: one query more, and the work of the annotations for the page alone."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class IdsFirstPaginator(Paginator):
    """Django's paginator, but for a queryset that annotates: its page by ids first. A list
    without annotations gains nothing by it and is paged as Django does, in one query."""

    def page(self, number) -> Page:
        records = self.object_list
        if not isinstance(records, QuerySet) or not records.query.annotations:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(records.values_list("pk", flat=True)[bottom:top])
        by_id = {record.pk: record for record in records.order_by().filter(pk__in=ids)} if ids else {}
        return Page([by_id[pk] for pk in ids], number, self)


class CountedPaginator(Paginator):
    """Django's paginator for a count known beforehand (``count``): a page whose records are a
    join counts them more cheaply on the table that decides the rows alone, or in the aggregate
    it computes anyway (a total), than Django's ``COUNT(*)`` over the join."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._given_count = count

    @property
    def count(self) -> int:
        return self._given_count
