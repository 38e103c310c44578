"""The one way a list page is cut into pages.

Every faculty list that grows with a round or with the programme goes through `paginate`: it reads
the page number from the query string, shows the first page for a page number that is not a number
and the last page for one past the end (never a 404), and gives the template the other filters of
the query string so that the page links keep them (templates/includes/pagination.html).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

#: Rows on one page of a list. A heavier row (a card, a table of scores) may use fewer.
PAGE_SIZE = 50


def paginate(
    request: HttpRequest, items: Sequence[Any], *, per_page: int = PAGE_SIZE, param: str = "page"
) -> Page:
    """The page of `items` asked for by `?page=` (a number or "last"; the first page if it is not a
    number, the last if past the end). `param` names another parameter for a second list on the
    same page (its template passes it to the include as `page_param`)."""
    paginator = Paginator(items, per_page)
    number = request.GET.get(param)
    return paginator.get_page(paginator.num_pages if number == "last" else number)


def other_filters(request: HttpRequest, param: str = "page") -> str:
    """The query string without its page number, for the page links to carry the filters on."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()


def page_context(
    request: HttpRequest, items: Sequence[Any], *, per_page: int = PAGE_SIZE
) -> dict[str, Any]:
    """`page_obj` and `query` for a template that includes includes/pagination.html."""
    return {
        "page_obj": paginate(request, items, per_page=per_page),
        "query": other_filters(request),
    }


class PaginatedList:
    """For a ListView: pages through `paginate` (so a bad page number is never a 404) and puts
    `query` (the other filters) in the context for the page links."""

    paginate_by = PAGE_SIZE

    def paginate_queryset(self, queryset, page_size):
        page = paginate(self.request, queryset, per_page=page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query"] = other_filters(self.request)
        return context
