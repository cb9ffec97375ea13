"""What `/sales admin` opens: the people form, and the pipeline stages with Edit / Add."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.admin import modals as admin_modals
from handlers.deps import Deps
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer
from handlers.slack.text import escape
from store.models import ROLES


def open_admin(deps: Deps, client: WebClient, actor_id: int, trigger_id: str) -> None:
    deps.services.people.check_admin(actor_id)
    users = [(u.name, u.slack_user_id) for u in deps.services.users.list() if u.is_active]
    client.views_open(trigger_id=trigger_id, view=admin_modals.people_admin(users[:99], ROLES))


def stages_answer(deps: Deps, actor_id: int) -> Answer:
    """The pipeline as admins tune it: each stage with an Edit button, and Add."""
    deps.services.people.check_admin(actor_id)
    blocks = []
    for stage in deps.services.stages.all():
        state = "" if stage.is_active else " · _deactivated_"
        quiet = f", quiet after {stage.quiet_days} days" if stage.quiet_days else ""
        blocks.append({**ui.mrkdwn(f"{stage.position}. *{escape(stage.name)}* — "
                                   f"{stage.probability}% ({stage.kind}{quiet}){state}"),
                       "accessory": ui.button("Edit", "stage_edit", str(stage.id))})
    blocks.append(ui.actions(ui.button("Add a stage", "stage_add", "new")))
    return Answer(text="Pipeline stages", blocks=blocks)
