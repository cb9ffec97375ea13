"""Stages as CSV: `name,position,probability,kind,quiet_days`, keyed by name.

A file can add stages and change their order, weights and quiet days; positions are
swapped in two steps so reordering never trips the unique position. Deactivating is
done in Slack (`/sales stages`), never by leaving a stage out of a file.
"""

from __future__ import annotations

from sqlalchemy import select

from store.errors import InvalidInput
from store.models import Stage
from store.services.deals.stage_admin import check_stage
from store.transfer.cells import Cells
from store.transfer.loading import Loader, Parsed
from store.transfer.values import CellError


def _kind(text: str) -> str:
    kind = text.strip().lower()
    if kind not in ("open", "won", "lost"):
        raise CellError("kind is open, won or lost")
    return kind


class StageLoader(Loader):
    def parse(self, cells: Cells) -> Parsed | None:
        name = cells.name("name")
        position = cells.count("position")
        probability = cells.percent("probability")
        kind = cells.read("kind", _kind, required=True)
        quiet = cells.count("quiet_days")
        if position is None and cells.has("position"):
            cells.fail("position", "a position is required")
        if name is None or kind is None or probability is None or position is None:
            if probability is None and not cells.failures:
                cells.fail("probability", "a probability is required")
            return None
        try:
            check_stage(name, probability, kind, quiet)
        except InvalidInput as exc:
            cells.fail("probability" if "%" in str(exc) else "kind", str(exc))
            return None
        return Parsed(cells.line, {"name": name, "position": position,
                                   "probability": probability, "kind": kind,
                                   "quiet_days": quiet})

    def write(self, rows: list[Parsed]) -> None:
        tally, session = self.context.tally, self.session
        stages = {st.name.lower(): st for st in session.scalars(select(Stage))}
        named = {row.values["name"].lower() for row in rows}
        by_position = {st.position: st for st in stages.values()}
        good = []
        for row in rows:
            other = by_position.get(row.values["position"])
            if other is not None and other.name.lower() not in named:
                self.context.reject(row.line, [("position", f"position "
                                    f"{row.values['position']} is {other.name}'s")])
            else:
                good.append(row)
        for row in good:  # step one: move every stage this file places out of the way
            stage = stages.get(row.values["name"].lower())
            if stage is not None and stage.position != row.values["position"]:
                stage.position = -stage.id
        session.flush()
        for row in good:
            stage = stages.get(row.values["name"].lower())
            if stage is None:
                session.add(Stage(**row.values, is_active=True))
                tally.new += 1
                continue
            before = (stage.position, stage.probability, stage.kind, stage.quiet_days)
            for column, value in row.values.items():
                setattr(stage, column, value)
            after = (stage.position, stage.probability, stage.kind, stage.quiet_days)
            if before == after and stage.name == row.values["name"]:
                tally.unchanged += 1
            else:
                tally.updated += 1
        session.flush()
