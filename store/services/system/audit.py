"""The audit log: one append-only row per change that stage history does not record."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from store.models import AuditEntry


def record(
    session: Session,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    detail: dict[str, Any] | None = None,
    source: str = "slack",
) -> None:
    session.add(
        AuditEntry(
            at=at, actor_id=actor_id, action=action, entity_type=entity_type,
            entity_id=entity_id, source=source,
            detail=json.dumps(detail, default=str, sort_keys=True) if detail else None,
        )
    )
