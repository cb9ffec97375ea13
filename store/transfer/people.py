"""Users: the sales team, keyed by Slack id, with their team and manager.

A user's manager is often further down the same file (an export is sorted by Slack id,
not by rank), so a row whose manager is not known yet waits until the end of the file;
only the rows that wait are held in memory, and a manager nobody defines is a bad row.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import insert, select, update

from store.models import ROLES, Team, User
from store.roles import REP
from store.services.system import audit
from store.transfer.cells import Cells
from store.transfer.loading import Loader, Parsed
from store.transfer.lookups import Person
from store.transfer.values import CellError


def _slack_id(text: str) -> str:
    if len(text) > 32 or any(char.isspace() for char in text):
        raise CellError(f"{text!r} is not a Slack user id (like U024BE7LH)")
    return text


def _email(text: str) -> str:
    if "@" not in text or len(text) > 320 or " " in text:
        raise CellError(f"{text!r} is not an email address")
    return text


def _role(text: str) -> str:
    role = text.lower()
    if role not in ROLES:
        raise CellError(f"{text!r} is not a role ({', '.join(ROLES)})")
    return role


def _zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CellError(f"{text!r} is not a time zone (use an IANA name such as "
                        "Europe/Paris)") from exc
    return text


class UserLoader(Loader):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting: list[Parsed] = []

    def parse(self, cells: Cells) -> Parsed | None:
        slack_id = cells.read("slack_id", _slack_id, required=True)
        values: dict[str, Any] = {"slack_user_id": slack_id}
        if cells.has("name"):
            values["name"] = cells.name("name", required=False) or slack_id
        if cells.has("email"):
            values["email"] = cells.read("email", _email, required=False)
        if cells.has("role"):
            values["role"] = cells.read("role", _role, required=False) or REP
        if cells.has("timezone"):
            values["timezone"] = cells.read("timezone", _zone, required=False)
        extra: dict[str, Any] = {}
        if cells.has("team"):
            extra["team"] = cells.name("team", limit=120, required=False) or ""
        if cells.has("manager"):
            extra["manager"] = cells.raw("manager")
            own = {slack_id, (values.get("email") or "").lower()} - {None, ""}
            if extra["manager"] in own or extra["manager"].lower() in own:
                cells.fail("manager", "a user can't be their own manager")
        return Parsed(cells.line, values, extra) if slack_id else None

    def write(self, rows: list[Parsed]) -> None:
        for row in rows:
            if not self._save(row, last_try=False):
                self._waiting.append(row)

    def finish(self) -> None:
        """Save the rows whose managers came later in the file, managers first."""
        while self._waiting:
            waiting, self._waiting = self._waiting, []
            for row in waiting:
                if not self._save(row, last_try=False):
                    self._waiting.append(row)
            if len(self._waiting) == len(waiting):
                for row in self._waiting:
                    self._save(row, last_try=True)
                return

    def _save(self, row: Parsed, *, last_try: bool) -> bool:
        """Insert or update one user; False when its manager is not known yet."""
        values = dict(row.values)
        if "manager" in row.extra:
            ref = row.extra["manager"]
            manager = self.context.lookups.person(ref) if ref else None
            if ref and manager is None:
                if last_try:
                    self.context.reject(row.line, [("manager", f"no user {ref!r} in the "
                                                    "store or the file")])
                return last_try
            if manager is not None and manager.slack_id == values["slack_user_id"]:
                self.context.reject(row.line, [("manager", "a user can't be their own manager")])
                return True
            values["manager_id"] = manager.id if manager else None
        if "team" in row.extra:
            values["team_id"] = self._team_id(row.extra["team"])
        self._upsert(row, values)
        return True

    def _team_id(self, name: str) -> int | None:
        if not name:
            return None
        lookups = self.context.lookups
        team_id = lookups.team_id(name)
        if team_id is None:
            now = self.context.now
            team_id = self.session.execute(
                insert(Team.__table__).returning(Team.__table__.c.id),
                {"name": name, "created_at": now, "updated_at": now},
            ).scalar_one()
            lookups.remember_team(name, team_id)
        return team_id

    def _upsert(self, row: Parsed, values: dict[str, Any]) -> None:
        table, now, tally = User.__table__, self.context.now, self.context.tally
        existing = self.session.execute(
            select(table).where(table.c.slack_user_id == values["slack_user_id"])
        ).mappings().first()
        if existing is None:
            fresh = {"name": values["slack_user_id"], "role": REP, "is_active": True,
                     **values, "created_at": now, "updated_at": now}
            user_id = self.session.execute(insert(table).returning(table.c.id), fresh).scalar_one()
            tally.new += 1
        else:
            user_id = existing["id"]
            diff = {k: v for k, v in values.items() if existing[k] != v}
            if diff:
                self.session.execute(
                    update(table).where(table.c.id == user_id).values(**diff, updated_at=now)
                )
                tally.updated += 1
            else:
                tally.unchanged += 1
            if "role" in diff:
                audit.record(self.session, at=now, actor_id=None, action="set_role",
                             entity_type="user", entity_id=user_id, source="import",
                             detail={"before": existing["role"], "after": diff["role"]})
        saved = self.session.execute(select(
            table.c.id, table.c.slack_user_id, table.c.email, table.c.name, table.c.timezone,
            table.c.is_active,
        ).where(table.c.id == user_id)).one()
        self.context.lookups.remember_person(Person(*saved))
