"""What every listener needs, handed over once by the app factory (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from store.clock import Clock
from store.services import Services
from store.services.people.directory import Directory


@dataclass
class Deps:
    services: Services
    directory: Directory
    clock: Clock
    default_timezone: str = "UTC"
    working_hours: str = "09:00-18:00"
    knowledge: KnowledgeBase | None = None
