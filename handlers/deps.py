"""What every listener needs, handed over once by the app factory (no globals).

Start-up cost: the types below are only named here, so importing `Deps` imports neither
the search index (whoosh), the Slack client nor the services; whoever builds a `Deps`
has them already.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.services.quotes.sync import ACCEPTED_STAGE, SENT_STAGE
from store.working_time import DEFAULT_WORKING_HOURS

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from knowledge.base import KnowledgeBase
    from store.clock import Clock
    from store.services import Services
    from store.services.people.directory import Directory
    from store.services.quotes.document_facts import Letterhead


@dataclass
class Deps:
    services: Services
    directory: Directory
    clock: Clock
    default_timezone: str = "UTC"
    working_hours: str = DEFAULT_WORKING_HOURS
    knowledge: KnowledgeBase | None = None
    client: WebClient | None = None  # the app's, for telling someone other than the asker
    letterhead: Letterhead | None = None  # the quote document's seller side (settings)
    quote_accepted_stage: str | None = ACCEPTED_STAGE  # where an accepted quote moves a deal
    quote_sent_stage: str | None = SENT_STAGE  # where sending a quote moves a deal
