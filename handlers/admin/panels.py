"""What `/sales admin` opens: the people form, and the pipeline stages with Edit / Add."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.admin import modals as admin_modals
from handlers.deps import Deps
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer
from handlers.slack.blocks import Block
from handlers.slack.text import clip, escape
from store.models import ROLES
from store.schemas import StageView


def open_admin(deps: Deps, client: WebClient, actor_id: int, trigger_id: str) -> None:
    deps.services.people.check_admin(actor_id)
    users = [(u.name, u.slack_user_id) for u in deps.services.users.list() if u.is_active]
    client.views_open(trigger_id=trigger_id, view=admin_modals.people_admin(users[:99], ROLES))


ONE_BLOCK_EACH = 40  # up to this many stages, each has its own line and Edit button
SELECT_OPTIONS = 100  # Slack's most options in one static_select
MAX_BLOCKS = 48  # a message holds 50 blocks; "Saved the stage" adds one above the list


def _stage_line(stage: StageView) -> str:
    state = "" if stage.is_active else " · _deactivated_"
    quiet = f", quiet after {stage.quiet_days} days" if stage.quiet_days else ""
    return (f"{stage.position}. *{escape(stage.name)}* — "
            f"{stage.probability}% ({stage.kind}{quiet}){state}")


def _compact(stages: list[StageView]) -> list[Block]:
    """Many stages: their lines packed into few sections, and Edit as menus of 100, so the
    list stays within Slack's 50 blocks a message."""
    sections: list[str] = []
    for line in map(_stage_line, stages):
        if sections and len(sections[-1]) + len(line) + 1 <= 3000:
            sections[-1] += "\n" + line
        else:
            sections.append(line)
    menus = []
    for n, start in enumerate(range(0, len(stages), SELECT_OPTIONS)):
        chunk = stages[start:start + SELECT_OPTIONS]
        menus.append({
            "type": "static_select", "action_id": "stage_edit" if n == 0 else f"stage_edit_{n}",
            "placeholder": {"type": "plain_text",
                            "text": f"Edit stage {chunk[0].position}–{chunk[-1].position}"},
            "options": [{"text": {"type": "plain_text", "text": clip(
                f"{s.position}. {s.name}", 75)}, "value": str(s.id)} for s in chunk]})
    controls = [ui.actions(*menus[i:i + 5]) for i in range(0, len(menus), 5)]
    room = MAX_BLOCKS - len(controls) - 1
    shown = [ui.mrkdwn(text) for text in sections[:room]]
    if len(sections) > room:
        shown[-1] = ui.mrkdwn(sections[room - 1] + "\n…and more: edit them from the menus.")
    return [*shown, *controls[:MAX_BLOCKS - 1]]


def stages_answer(deps: Deps, actor_id: int) -> Answer:
    """The pipeline as admins tune it: each stage with an Edit button (or, past
    ONE_BLOCK_EACH stages, Edit menus), and Add."""
    deps.services.people.check_admin(actor_id)
    stages = list(deps.services.stages.all())
    if len(stages) <= ONE_BLOCK_EACH:
        blocks = [{**ui.mrkdwn(_stage_line(stage)),
                   "accessory": ui.button("Edit", "stage_edit", str(stage.id))}
                  for stage in stages]
    else:
        blocks = _compact(stages)
    blocks.append(ui.actions(ui.button("Add a stage", "stage_add", "new")))
    return Answer(text="Pipeline stages", blocks=blocks)
