"""Everything the bot understands, with examples: the one table `help` and the README's
"What you can say" are built from, and that the tests read every example of through the
parser, so the help can never promise what the bot does not understand.

Each row: the section it is listed under, how the reader files it (`reads_as`: the plan's
intent, or the command grammar's intent for the fixed commands), examples a rep would type,
and what the bot then does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capability:
    section: str
    reads_as: str
    examples: tuple[str, ...]
    does: str


CAPABILITIES: tuple[Capability, ...] = (
    Capability("Log what you did", "log",
               ("logged a call with acme, they want pricing by friday",
                "mtg w/ jane at globex re the expansion, f/u tmrw",
                "note on hooli: champion left"),
               "logs the call, meeting, email or note on the account, its deal and the "
               "contact, with a follow-up when a day is said"),
    Capability("Log what you did", "multi",
               ("had a demo with jane at globex, went great, moving them to proposal",),
               "several facts in one line: all applied at once, one Undo for all"),
    Capability("Log what you did", "several",
               ("initech to proposal and hooli to needs analysis",
                "logged calls with acme and globex"),
               "several deals in one line: each gets its own facts, all applied at once with "
               "one Undo, or a question first if any part is unclear"),
    Capability("Log what you did", "aside",
               ("globex is at 130k now — what's my pipeline?",
                "move acme to negotiation. don't log the rest"),
               "a fact and a question, or a fact and \"don't log the rest\": the fact applied, "
               "the question answered, the rest left out"),
    Capability("Deals", "create",
               ("new opp for hooli: expansion, 75k, closing end of q1",
                "new deal for acme: training 5k, f/u friday"),
               "creates the deal with its amount and close date (and logs what was said "
               "with it on the new deal, in one Undo)"),
    Capability("Deals", "move",
               ("mvoe globex to negotiation", "advance acme renewal", "initech signed!",
                "we lost umbrella, they went with a competitor"),
               "moves the deal through the stages (a loss needs its reason), history kept"),
    Capability("Deals", "edit",
               ("acme renewal is now 120k, closing eoq", "next step on initech: legal review",
                "set wayne to 60%"),
               "edits amount, close date, next step or probability; says what changed"),
    Capability("Deals", "edit", ("oops, meant 57k",),
               "right after a change, corrects that deal (within half an hour)"),
    Capability("Deals", "edit", ("give the hooli deal to fox", "move the hooli deal to dana"),
               "reassigns the deal (managers and admins), and tells the new owner"),
    Capability("Deals", "undo", ("undo",),
               "reverses your last change of the last half hour (a follow-up done or "
               "snoozed too; not a decision others were told of)"),
    Capability("Look things up", "question",
               ("how's acme doing?", "what closes this month", "which of my deals are stuck",
                "team pipeline this quarter"),
               "the deal card or account summary, or the pipeline for a period and a team"),
    Capability("Look things up", "question",
               ("how's globex doing", "when does the acme contract renew?"),
               "the account's open deals, renewal date, open cases and latest activity"),
    Capability("Look things up", "question",
               ("renewals this quarter", "what renews in the next 30 days"),
               "the contracts that end then (90 days when no period is said), each with its "
               "renewal deal or none yet"),
    Capability("Look things up", "forecast", ("forecast Q1", "forecast for my team"),
               "the forecast with quota attainment (Q1 asked in December is next year's)"),
    Capability("Look things up", "kb",
               ("how do I handle a pricing objection?", "kb sso setup"),
               "searches the knowledge base"),
    Capability("Follow-ups", "snooze", ("snooze the hooli follow up till tmrw",
                                        "snooze all my follow-ups till monday"),
               "moves a follow-up you have (or every one due before then) to a new day"),
    Capability("Follow-ups", "done", ("done w/ the hooli follow-up",), "marks it done"),
    Capability("Follow-ups", "several", ("done w/ the wayne follow-up, close date 12/15",),
               "the follow-up done and the deal changed, in one Undo"),
    Capability("Follow-ups", "followups", ("my follow-ups", "what do i have today"),
               "what is due"),
    Capability("Reminders", "reminders", ("reminders",),
               "what is coming, with the follow-ups due"),
    Capability("Reminders", "mute", ("mute reminders until monday",), "quiet time"),
    Capability("Reminders", "digest", ("digest at 8am",), "a daily summary at that hour"),
    Capability("Quotes and approvals", "quote",
               ("quote globex expansion: 20 seats of Platform at 15% off",),
               "a draft quote; **Request approval** sends it to the approvers"),
    Capability("Quotes and approvals", "quote", ("status of my globex quote",),
               "the deal's newest quote, with where it stands"),
    Capability("Quotes and approvals", "approvals", ("approvals",), "your approval queue"),
    Capability("Quotes and approvals", "quote",
               ("approve Q-2026-0002", "approve Q-2026-0002 and Q-2026-0004",
                "mark Q-2026-0001 sent", "acme quote sent"),
               "decides a quote, or marks it sent, as its buttons do (several at once: all "
               "or none)"),
    Capability("Quotes and approvals", "quote", ("quote Q-2026-0001 history",),
               "who decided what on a quote"),
    Capability("Quotes and approvals", "delegate", ("delegate to dana",),
               "a stand-in approver while you are away"),
    Capability("Leads", "lead", ("new lead: sam ortiz from initrode, vp ops",),
               "adds the lead (duplicates are flagged)"),
    Capability("Admins", "role", ("make dana a manager",), "changes a role (admins only)"),
)


def help_text() -> str:
    """The `help` answer: sections with their examples."""
    lines = ["*Here's what I can do.* Talk to me in plain words, or use `/sales`."]
    section = None
    for row in CAPABILITIES:
        if row.section != section:
            section = row.section
            lines.append(f"*{section}*")
        lines.append("• " + " · ".join(f"`{example}`" for example in row.examples))
    lines += ["*Slash command*",
              "• `/sales log call Acme: text` · `/sales move \"Acme renewal\" negotiation`",
              "• `/sales deal Acme` · `/sales followups` · `/sales approvals`",
              "• `/sales log`, `/sales new`, `/sales quote Acme renewal` open forms"]
    return "\n".join(lines)


def readme_table() -> str:
    """The README's "What you can say" table (a test checks the README holds it)."""
    rows = ["| you say | the bot |", "|---|---|"]
    for row in CAPABILITIES:
        said = " · ".join(f"`{example}`" for example in row.examples)
        rows.append(f"| {said} | {row.does} |")
    return "\n".join(rows)
