"""A paginator for lists that can hold millions of rows: it never runs COUNT(*) over all of them.

(A list that knows its size some other way gives itself a `count()`, which Django's Paginator uses.)
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMIT): a province's lists stay as fast as a branch's.

    Past the cap the page says "1000+" and the last page reachable holds row `cap`; narrowing the
    list (status, direction, names) finds the rest.
    """

    def __init__(self, object_list, per_page, *, cap: int = 1000):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return min(self.object_list[: self.cap + 1].count(), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap
