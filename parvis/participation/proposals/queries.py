from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from parvis.kernel.auth import User
from parvis.kernel.db import pairs
from parvis.kernel.pagination import MAX_PAGE_SIZE, Page
from parvis.participation.models import Comment, Support
from parvis.participation.proposals.actions import TARGET, link
from parvis.participation.proposals.models import Proposal, ProposalState
from parvis.participation.proposals.schemas import ImagePublic, ProposalPublic


@dataclass(frozen=True)
class ProposalFilters:
    arrondissement: int | None = None
    category: str | None = None
    state: ProposalState | None = None
    edition_id: int | None = None
    q: str = ""
    sort: str = "recent"  # or "supports"


def _support_counts() -> Select[int, int]:
    return (
        select(Support.target_id, func.count().label("n"))
        .where(Support.target_type == TARGET)
        .group_by(Support.target_id)
    )


def _filtered(filters: ProposalFilters) -> Select[Proposal]:
    query = select(Proposal)
    if filters.arrondissement is not None:
        query = query.where(Proposal.arrondissement == filters.arrondissement)
    if filters.category:
        query = query.where(Proposal.category == filters.category)
    if filters.state is not None:
        query = query.where(Proposal.state == filters.state)
    if filters.edition_id is not None:
        query = query.where(Proposal.edition_id == filters.edition_id)
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        query = query.where(
            or_(
                func.lower(Proposal.title).like(pattern),
                func.lower(Proposal.description).like(pattern),
            )
        )
    return query


def list_proposals(
    db: Session, filters: ProposalFilters, page: int = 1, size: int = 20
) -> Page[Proposal]:
    size, page = max(1, min(size, MAX_PAGE_SIZE)), max(1, page)
    query = _filtered(filters)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    if filters.sort == "supports":
        counts = _support_counts().subquery()
        query = query.outerjoin(counts, counts.c.target_id == Proposal.id).order_by(
            func.coalesce(counts.c.n, 0).desc(), Proposal.id.desc()
        )
    else:
        query = query.order_by(Proposal.created_at.desc(), Proposal.id.desc())
    items = list(db.scalars(query.offset((page - 1) * size).limit(size)))
    return Page(items=items, total=total, page=page, size=size)


def publish(db: Session, proposals: list[Proposal], base_url: str = "") -> list[ProposalPublic]:
    ids = [p.id for p in proposals]
    if not ids:
        return []
    supports = pairs(db.execute(_support_counts().where(Support.target_id.in_(ids))))
    comments = pairs(
        db.execute(
            select(Comment.target_id, func.count())
            .where(Comment.target_type == TARGET, Comment.target_id.in_(ids))
            .group_by(Comment.target_id)
        )
    )
    author_ids = [p.author_id for p in proposals if p.author_id]
    authors = pairs(db.execute(select(User.id, User.display_name).where(User.id.in_(author_ids))))
    return [
        ProposalPublic(
            id=p.id,
            title=p.title,
            description=p.description,
            category=p.category,
            arrondissement=p.arrondissement,
            location=p.geometry,
            author=authors.get(p.author_id) if p.author_id else None,
            state=p.state,
            answer=p.answer,
            merged_into=p.merged_into_id,
            linked_id=p.linked_id,
            edition_id=p.edition_id,
            supports=supports.get(p.id, 0),
            comments=comments.get(p.id, 0),
            images=[ImagePublic(url=f"{base_url}/media/{i.key}", alt=i.alt) for i in p.images],
            created_at=p.created_at,
            url=base_url + link(p.id),
        )
        for p in proposals
    ]


def proposals_geojson(db: Session, filters: ProposalFilters) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": p.geometry,
            "properties": {"id": p.id, "title": p.title, "url": link(p.id)},
        }
        for p in db.scalars(_filtered(filters).where(Proposal.geometry.is_not(None)).limit(2000))
    ]
    return {"type": "FeatureCollection", "features": features}


def proposals_of(db: Session, user_id: int) -> list[dict[str, Any]]:
    """For "my data": the proposals a resident wrote."""
    return [
        {
            "id": p.id,
            "title": p.title,
            "description": p.description,
            "state": str(p.state),
            "created_at": p.created_at.isoformat(),
        }
        for p in db.scalars(select(Proposal).where(Proposal.author_id == user_id))
    ]
