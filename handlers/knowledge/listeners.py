"""Knowledge base in Slack: open an article (paged, in the thread), share one in the
channel, more results and "did you mean", save the admin form, and "Save to knowledge
base" on any message. Rendering is in handlers/knowledge/blocks.py, the search answer in
handlers/knowledge/search.py, search itself in knowledge/.

Each listener is a module-level function taking `deps` first; `register` binds it with
functools.partial, which Bolt's argument injection sees through."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.knowledge import blocks as kbui
from handlers.knowledge.search import search_answer
from handlers.slack import blocks as ui
from handlers.slack import form_input
from handlers.slack.actions import STALE_BUTTON, clicked_id, clicked_json, clicked_numbers
from handlers.slack.answer import Answer
from handlers.slack.delivery import replace_message, reply_in_thread, share_in_channel, shared_by
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape
from store.errors import InvalidInput, StoreError
from store.schemas import UserView
from store.services.knowledge.articles import ArticleView


def open_article(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                 respond: Respond) -> None:
    ack()
    article = deps.services.knowledge.get(clicked_id(body))
    reply_in_thread(body, client, respond, Answer(kbui.article_text(article),
                                                  kbui.article_blocks(article, 1)))


def turn_page(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
              respond: Respond) -> None:
    ack()
    article_id, page = clicked_numbers(body, "id", "page")
    article = deps.services.knowledge.get(article_id)
    replace_message(body, client, respond, Answer(
        kbui.article_text(article), kbui.article_blocks(article, page)))


def share(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
          context: BoltContext) -> None:
    ack()
    actor = actor_of(context)
    article = deps.services.knowledge.get(clicked_id(body))
    share_in_channel(body, client, respond, Answer(kbui.article_text(article),
                                                   kbui.article_blocks(article, 1)),
                     f"{shared_by(actor.slack_user_id)} from the knowledge base")


def more_results(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                 respond: Respond) -> None:
    ack()
    value = clicked_json(body)
    (page,) = clicked_numbers(body, "page", value=value)
    if not isinstance(value.get("q"), str):
        raise InvalidInput(STALE_BUTTON)
    replace_message(body, client, respond, search_answer(deps, value["q"], page))


def search_suggestion(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                      respond: Respond) -> None:
    ack()
    replace_message(body, client, respond, search_answer(deps, body["actions"][0]["value"]))


def _save_form(deps: Deps, actor: UserView, form: dict[str, Any]) -> ArticleView:
    """Create or update the article the form describes; a source permalink is appended."""
    articles = deps.services.knowledge
    body = form["body"]
    if body is not None and form.get("source"):
        body = f"{body}\n\n_Source: {form['source']}_"
    if form["id"]:
        return articles.update(actor.id, int(form["id"]), title=form["title"], body=body,
                               tags=form["tags"], product=form["product"] or "")
    return articles.create(actor.id, title=form["title"], body=body or "",
                           tags=form["tags"], product=form["product"])


def save_article(deps: Deps, ack: Ack, view: dict[str, Any], client: WebClient,
                 context: BoltContext) -> None:
    form = kbui.article_form(view)
    if form["id"] is not None:
        form["id"] = form_input.metadata_id(view, "id")
        if form["id"] is None or not isinstance(form["source"], str | None):
            form_input.refuse(ack, view)
            return
    actor = actor_of(context)
    try:
        article = _save_form(deps, actor, form)
    except StoreError as exc:
        ack(response_action="errors", errors={"title": str(exc)})
        return
    ack()
    if deps.knowledge is not None:
        deps.knowledge.sync()
    text = f"Saved “{escape(article.title)}” to the knowledge base."
    client.chat_postMessage(channel=actor.slack_user_id, text=text, blocks=[
        ui.mrkdwn(text), ui.actions(ui.button("Open", kbui.ACTION_OPEN, str(article.id)))])


def save_message(deps: Deps, ack: Ack, shortcut: dict[str, Any], client: WebClient,
                 context: BoltContext) -> None:
    ack()
    deps.services.people.check_admin(actor_of(context).id)
    message = shortcut["message"]  # a message shortcut always names its message and channel
    permalink = client.chat_getPermalink(channel=shortcut["channel"]["id"],
                                         message_ts=message["ts"])["permalink"]
    client.views_open(trigger_id=shortcut["trigger_id"], view=kbui.article_modal(
        body=message.get("text") or "", source=permalink))


def register(app: App, deps: Deps) -> None:
    app.action(kbui.ACTION_OPEN)(partial(open_article, deps))
    app.action(f"{kbui.ACTION_PAGE}_prev")(partial(turn_page, deps))
    app.action(f"{kbui.ACTION_PAGE}_next")(partial(turn_page, deps))
    app.action(kbui.ACTION_SHARE)(partial(share, deps))
    app.action(kbui.ACTION_MORE)(partial(more_results, deps))
    app.action(kbui.ACTION_SUGGESTION)(partial(search_suggestion, deps))
    app.view(kbui.CALLBACK_ARTICLE)(partial(save_article, deps))
    app.shortcut("save_to_kb")(partial(save_message, deps))
