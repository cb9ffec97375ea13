"""Knowledge base in Slack: search (free text, `/sales kb`), open an article (paged, in
the thread), share one in the channel, add or edit one (admins), and "Save to knowledge
base" on any message. Rendering is in handlers/knowledge.py; search in knowledge/."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.knowledge import blocks as kbui
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape
from store.errors import StoreError


def search_answer(deps: Deps, query: str, page: int = 1) -> Answer:
    if deps.knowledge is None:
        return say_text("The knowledge base is not set up here.", private=True)
    query = query.strip()
    if not query:
        return say_text("Say what to look for: `kb sso setup` or `/sales kb pricing "
                        "objection`.", private=True)
    results = deps.knowledge.search(query, limit=5, page=page)
    return Answer(text=escape(f"Knowledge base: {query}"),
                  blocks=kbui.search_blocks(results, query))


def _reply_in_place(body: dict[str, Any], client: WebClient, respond: Respond,
                    answer: Answer) -> None:
    """Answer under the clicked message: a thread reply, or privately when it was private."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or "message_ts" not in container:
        respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral",
                replace_original=False)
        return
    message = body.get("message") or {}
    client.chat_postMessage(channel=container["channel_id"], text=answer.text,
                            blocks=answer.blocks,
                            thread_ts=message.get("thread_ts") or container["message_ts"])


def register(app: App, deps: Deps) -> None:
    articles = deps.services.knowledge

    @app.action(kbui.ACTION_OPEN)
    def open_article(ack: Ack, body: dict[str, Any], client: WebClient,
                     respond: Respond) -> None:
        ack()
        article = articles.get(int(body["actions"][0]["value"]))
        _reply_in_place(body, client, respond, Answer(kbui.article_text(article),
                                                      kbui.article_blocks(article, 1)))

    @app.action(f"{kbui.ACTION_PAGE}_prev")
    @app.action(f"{kbui.ACTION_PAGE}_next")
    def turn_page(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        value = json.loads(body["actions"][0]["value"])
        article = articles.get(int(value["id"]))
        replace_message(body, client, respond, Answer(
            kbui.article_text(article), kbui.article_blocks(article, int(value["page"]))))

    @app.action(kbui.ACTION_SHARE)
    def share(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
              context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        article = articles.get(int(body["actions"][0]["value"]))
        blocks = [b for b in kbui.article_blocks(article, 1) if b.get("type") != "actions"]
        blocks.append(ui.context(f"Shared by <@{actor.slack_user_id}> from the knowledge base"))
        channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
        client.chat_postMessage(channel=channel, text=kbui.article_text(article), blocks=blocks)
        if (body.get("container") or {}).get("is_ephemeral"):
            respond(delete_original=True)

    @app.action(kbui.ACTION_MORE)
    def more_results(ack: Ack, body: dict[str, Any], client: WebClient,
                     respond: Respond) -> None:
        ack()
        value = json.loads(body["actions"][0]["value"])
        replace_message(body, client, respond, search_answer(deps, value["q"],
                                                             int(value["page"])))

    @app.action(kbui.ACTION_SUGGESTION)
    def search_suggestion(ack: Ack, body: dict[str, Any], client: WebClient,
                          respond: Respond) -> None:
        ack()
        replace_message(body, client, respond,
                        search_answer(deps, body["actions"][0]["value"]))

    @app.view(kbui.CALLBACK_ARTICLE)
    def save_article(ack: Ack, view: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
        form = kbui.article_form(view)
        actor = actor_of(context)
        body = form["body"]
        if body is not None and form.get("source"):
            body = f"{body}\n\n_Source: {form['source']}_"
        try:
            if form["id"]:
                article = articles.update(actor.id, int(form["id"]), title=form["title"],
                                          body=body, tags=form["tags"],
                                          product=form["product"] or "")
            else:
                article = articles.create(actor.id, title=form["title"], body=body or "",
                                          tags=form["tags"], product=form["product"])
        except StoreError as exc:
            ack(response_action="errors", errors={"title": str(exc)})
            return
        ack()
        if deps.knowledge is not None:
            deps.knowledge.sync()
        text = f"Saved “{escape(article.title)}” to the knowledge base."
        client.chat_postMessage(channel=actor.slack_user_id, text=text, blocks=[
            ui.mrkdwn(text), ui.actions(ui.button("Open", kbui.ACTION_OPEN, str(article.id)))])

    @app.shortcut("save_to_kb")
    def save_message(ack: Ack, shortcut: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
        ack()
        deps.services.people.check_admin(actor_of(context).id)
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id")
        permalink = client.chat_getPermalink(channel=channel,
                                             message_ts=message.get("ts"))["permalink"]
        client.views_open(trigger_id=shortcut["trigger_id"], view=kbui.article_modal(
            body=message.get("text") or "", source=permalink))


def open_article_form(deps: Deps, client: WebClient, actor_id: int, trigger_id: str,
                      ref: str | None) -> None:
    """`/sales kb add` and `/sales kb edit SLUG` (admins)."""
    deps.services.people.check_admin(actor_id)
    article = deps.services.knowledge.get(ref) if ref else None
    client.views_open(trigger_id=trigger_id, view=kbui.article_modal(article))
