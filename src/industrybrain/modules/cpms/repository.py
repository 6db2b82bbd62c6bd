"""Every query of the CPMS tables."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from industrybrain.modules.cpms.models import (
    MappingMemory,
    Product,
    ProductSequence,
    Standard,
    StandardVersion,
)


def standards(session: Session) -> Sequence[Standard]:
    return session.scalars(select(Standard).order_by(Standard.code)).all()


def standard_by_code(session: Session, code: str) -> Standard | None:
    return session.scalars(select(Standard).where(Standard.code == code)).first()


def versions(session: Session, standard_id: int) -> Sequence[StandardVersion]:
    return session.scalars(
        select(StandardVersion)
        .where(StandardVersion.standard_id == standard_id)
        .order_by(StandardVersion.id)
    ).all()


def version(session: Session, standard_id: int, label: str) -> StandardVersion | None:
    return session.scalars(
        select(StandardVersion).where(
            StandardVersion.standard_id == standard_id, StandardVersion.version == label
        )
    ).first()


def version_by_id(session: Session, version_id: int) -> StandardVersion | None:
    return session.get(StandardVersion, version_id)


def published(session: Session, standard_id: int) -> StandardVersion | None:
    return session.scalars(
        select(StandardVersion).where(
            StandardVersion.standard_id == standard_id, StandardVersion.status == "published"
        )
    ).first()


def next_sequence(session: Session, category_code: str, count: int) -> int:
    """Reserve ``count`` numbers for ``category_code``; returns the first."""
    row = session.get(ProductSequence, category_code, with_for_update=True)
    if row is None:
        row = ProductSequence(category_code=category_code, next_value=1)
        session.add(row)
        session.flush()
    first = row.next_value
    row.next_value = first + count
    session.flush()
    return first


def products_of(
    session: Session, organization_id: int, *, limit: int = 200, offset: int = 0
) -> Sequence[Product]:
    return session.scalars(
        select(Product)
        .where(Product.organization_id == organization_id)
        .order_by(Product.id)
        .limit(limit)
        .offset(offset)
    ).all()


def count_products(session: Session, organization_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Product)
            .where(Product.organization_id == organization_id)
        )
        or 0
    )


def product(session: Session, organization_id: int, product_id: int) -> Product | None:
    """The product when it belongs to ``organization_id`` (tenant guard), else None."""
    return session.scalars(
        select(Product).where(Product.id == product_id, Product.organization_id == organization_id)
    ).first()


def existing_skus(session: Session, organization_id: int, skus: list[str]) -> dict[str, Product]:
    rows = session.scalars(
        select(Product).where(Product.organization_id == organization_id, Product.sku.in_(skus))
    ).all()
    return {p.sku: p for p in rows}


def memory(session: Session, organization_id: int, standard_id: int) -> dict[str, str]:
    rows = session.scalars(
        select(MappingMemory).where(
            MappingMemory.organization_id == organization_id,
            MappingMemory.standard_id == standard_id,
        )
    ).all()
    return {m.label: m.target for m in rows}


def remember(
    session: Session, organization_id: int, standard_id: int, label: str, target: str
) -> None:
    row = session.scalars(
        select(MappingMemory).where(
            MappingMemory.organization_id == organization_id,
            MappingMemory.standard_id == standard_id,
            MappingMemory.label == label,
        )
    ).first()
    if row is None:
        session.add(
            MappingMemory(
                organization_id=organization_id,
                standard_id=standard_id,
                label=label,
                target=target,
            )
        )
    else:
        row.target = target
    session.flush()


def products_in_scope(
    session: Session, search: str = "", *, offset: int = 0, limit: int = 50
) -> tuple[Sequence[Product], int]:
    """Products visible in the current tenant scope (the tenancy guard adds the organisation
    filter to these ORM statements)."""
    statement = select(Product)
    counting = select(func.count()).select_from(Product)
    if search:
        pattern = f"%{search}%"
        condition = (
            Product.name.like(pattern)
            | Product.sku.like(pattern)
            | Product.product_code.like(pattern)
            | Product.category_code.like(pattern)
        )
        statement = statement.where(condition)
        counting = counting.where(condition)
    items = session.scalars(statement.order_by(Product.id).offset(offset).limit(limit)).all()
    return items, int(session.scalar(counting) or 0)


def product_by_code_in_scope(session: Session, product_code: str) -> Product | None:
    return session.scalars(select(Product).where(Product.product_code == product_code)).first()
