"""Every list of the platform is paginated through ``paginate`` (or
``paginate_keys``, when the view reads the rows of a page's keys afterwards), and
shown with ``templates/certif/_pagination.html`` (which keeps the other query
parameters)."""

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAR_PAGE = 25


def paginate(
    request: HttpRequest,
    object_list: Any,
    *,
    per_page: int = PAR_PAGE,
    param: str = "page",
) -> Page[Any]:
    """One page of ``object_list``, numbered by the request's ``param``; a missing
    or invalid number gives the first page, one past the end the last page."""
    return Paginator(object_list, per_page).get_page(request.GET.get(param))


class KeysPaginator(Paginator[Any]):
    """Pages of an ordered queryset of keys, for a late row lookup (the caller
    reads the rows of the page's keys afterwards). A page in the second half is
    sliced from the end, in the reversed order: the database skips at most half
    of the list whatever the page, and the last page costs what the first does
    (an index walk from the other end). The order must be total (end it with the
    primary key) for the reversed slice to hold the same keys. A page's
    ``object_list`` is the sliced queryset of its keys, in either order: the
    caller orders the rows it reads."""

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ordered = cast(QuerySet[Any, Any], self.object_list)
        if bottom > self.count - top:
            keys = ordered.reverse()[self.count - top : self.count - bottom]
        else:
            keys = ordered[bottom:top]
        return Page(keys, number, self)


def paginate_keys(
    request: HttpRequest, keys: Any, *, per_page: int = PAR_PAGE
) -> Page[Any]:
    """As ``paginate``, with a ``KeysPaginator`` over an ordered queryset of
    keys."""
    return KeysPaginator(keys, per_page).get_page(request.GET.get("page"))
