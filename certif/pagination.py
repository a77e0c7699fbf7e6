"""Every list of the platform is paginated through ``paginate``, and shown with
``templates/certif/_pagination.html`` (which keeps the other query parameters)."""

from typing import Any

from django.core.paginator import Page, Paginator
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
