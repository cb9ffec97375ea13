"""The knowledge base through signed requests: search in words and with /sales kb, open
(paged, in the thread), share in the channel, admins add articles and save messages."""

from __future__ import annotations

import pytest

from bot.chat import Chat
from bot.localslack import LocalSlack
from knowledge.starter import load_starter_articles
from store.services import Services

pytestmark = pytest.mark.usefixtures("kb_engine")  # on each search engine


@pytest.fixture
def kb(services: Services, store):
    services.users.get_or_create("U0ANA", name="Ana Rep")
    services.users.get_or_create("U0ADA", name="Ada Admin")
    services.users.set_role("U0ADA", "admin")
    load_starter_articles(store)


def test_a_question_finds_the_article(chat: Chat, kb) -> None:
    [reply] = chat.say("how do I handle a pricing objection?")
    first = reply.render().split("\n")[1]
    assert "pricing" in first.lower() and "objection" in first.lower()
    assert "Open" in reply.render() and "Share in channel" in reply.render()


def test_kb_command_open_and_page(chat: Chat, slack: LocalSlack, kb) -> None:
    [results] = chat.command("/sales kb discovery questions")
    assert results.ephemeral and "Discovery" in results.render()
    chat.click(action_id="kb_open")
    article = chat.latest("U0ANA")
    assert "Discovery" in article.render() and "updated" in article.render()


def test_open_in_a_dm_replies_in_the_thread(chat: Chat, slack: LocalSlack, kb) -> None:
    [results] = chat.say("kb renewal playbook")
    chat.click(action_id="kb_open")
    reply = slack.calls_of("chat.postMessage")[-1].args
    assert reply["thread_ts"] == results.ts and "Renewal" in str(reply["blocks"])


def test_share_in_channel(chat: Chat, slack: LocalSlack, kb) -> None:
    chat.say("kb security objection")
    chat.click(action_id="kb_share")
    shared = slack.calls_of("chat.postMessage")[-1].args
    assert "Shared by <@U0ANA>" in str(shared["blocks"])


def test_admin_adds_an_article_that_is_found_at_once(chat: Chat, services: Services,
                                                     kb) -> None:
    chat.command("/sales kb add", user="U0ANA")
    assert chat.open_modal("U0ANA") is None  # reps can't
    chat.command("/sales kb add", user="U0ADA")
    chat.submit({"Title": "Zebra licensing FAQ", "Tags": "licensing",
                 "Article (markdown)": "Zebra seats are counted per named user."},
                user="U0ADA")
    [results] = chat.say("kb zebra licensing", user="U0ANA")
    assert "Zebra licensing FAQ" in results.render()


def test_save_a_message_to_the_knowledge_base(chat: Chat, kb) -> None:
    [reply] = chat.say("help", user="U0ADA")
    chat.shortcut("save_to_kb", message=reply, user="U0ADA")
    chat.submit({"Title": "What the bot understands"}, user="U0ADA")
    [results] = chat.say("kb what the bot understands", user="U0ADA")
    assert "What the bot understands" in results.render()


def test_a_topic_said_alone_finds_its_articles_and_nonsense_still_gets_help(
        chat: Chat, kb) -> None:
    [found] = chat.say("discovery questions")
    assert "knowledge base has this" in found.render() and "Discovery" in found.render()
    [lost] = chat.say("zxqv blorp")
    assert lost.text == "I didn't get that." and "help" in lost.render()
