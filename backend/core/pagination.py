"""Paged list responses shared by every list endpoint: {items, total, page, page_size}."""

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PAGE_SIZE = 200
ItemT = TypeVar("ItemT")


class PageParams(BaseModel):
    page: int = Field(default=1, ge=1, description="页码，从 1 开始")
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE, description="每页条数，最多 200")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    page: int
    page_size: int


def fetch_page(*, db_session: Session, query: Select[Any], params: PageParams) -> tuple[list[Any], int]:
    """One page of QUERY's entities and the total number of matching rows."""
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    total = db_session.scalar(counted) or 0
    paged = query.limit(params.page_size).offset((params.page - 1) * params.page_size)
    return list(db_session.scalars(paged).unique()), total
