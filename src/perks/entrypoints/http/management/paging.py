"""The paging query every Management list operation takes (``pageSize``, ``skip``, ``sort``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import msgspec

from perks.domain.pages import MAX_PAGE_SIZE, PageRequest, parse_sort

__all__ = ["ListQuery", "page_request"]


class ListQuery(msgspec.Struct, rename="camel", kw_only=True):
    page_size: Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE_SIZE)] = MAX_PAGE_SIZE
    skip: Annotated[int, msgspec.Meta(ge=0)] = 0
    sort: str | None = None


def page_request(query: ListQuery, *, sortable: Sequence[str]) -> PageRequest:
    return PageRequest(
        page_size=query.page_size,
        skip=query.skip,
        sort=parse_sort(query.sort, allowed=sortable),
    )
