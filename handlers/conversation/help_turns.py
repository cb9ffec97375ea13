"""Turns that explain: help, the usage of a bare `/sales` sub-command, what wasn't
understood, and questions for the knowledge base."""

from __future__ import annotations

from handlers.conversation.turn import Turn
from handlers.knowledge import blocks as kbui
from handlers.knowledge.search import search_answer
from handlers.language.intents import MAX_MESSAGE_CHARS
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape

_USAGE = {"deal": "/sales deal Acme", "show": "/sales deal Acme", "opp": "/sales deal Acme",
          "move": '/sales move "Acme renewal" negotiation',
          "advance": "/sales advance acme renewal", "won": "/sales won wayne",
          "lost": "/sales lost umbrella: went with a competitor",
          "quote": "/sales quote Acme renewal"}


def show_help(_turn: Turn) -> Answer:
    return Answer(text="Here's what I can do.", blocks=ui.help_blocks())


def usage(turn: Turn) -> Answer:
    """`/sales won` with no deal: say how to name one."""
    example = _USAGE.get(turn.intent.target or "", "/sales help")
    return say_text(f"Say which deal: `{example}`", private=True)


UNKNOWN_REPLY = "I didn't get that."


def unknown(turn: Turn) -> Answer:
    """Not a change, a command or a question the bot knows: the knowledge base's articles
    when the words match some ("discovery questions", "renewal playbook": a rep naming a
    topic), else what the bot understands."""
    if (found := _articles(turn)) is not None:
        return found
    return Answer(
        text=UNKNOWN_REPLY,
        blocks=[ui.mrkdwn(f"I didn't get “{escape(turn.intent.text)}”. Try `help` to see "
                          "what I understand."), *ui.help_blocks()],
    )


def _articles(turn: Turn) -> Answer | None:
    text = turn.intent.text.strip()
    knowledge = turn.deps.knowledge
    if knowledge is None or not text or len(text.split()) > 8:
        return None
    results = knowledge.search(text, limit=5)
    if not results.hits or results.corrected:
        return None  # nothing, or only a guess at other words: not worth a reply of its own
    return Answer(text=escape(f"Knowledge base: {text}"),
                  blocks=[ui.mrkdwn("That's not a change I can make, but the knowledge base "
                                    "has this:"), *kbui.search_blocks(results, text)])


def too_long(turn: Turn) -> Answer:
    """A message over `MAX_MESSAGE_CHARS`: say so, privately, and that nothing was done."""
    length = int(turn.intent.detail or 0)
    return say_text(
        f"That's too long for me to read — I read messages of up to {MAX_MESSAGE_CHARS:,} "
        f"characters and yours has {length:,}, so I haven't done or saved anything. "
        "Send me the gist in a shorter message, or split a long note into a few.", private=True)


def kb(turn: Turn) -> Answer:
    """"kb pricing objections", or a question nothing else answered."""
    return search_answer(turn.deps, turn.intent.detail or turn.intent.text)
