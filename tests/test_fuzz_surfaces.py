"""Hostile text, values and metadata through every surface (the driver is
`benchmarks/fuzz.py`; `python -m benchmarks fuzz` runs 10,000 examples)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings

from benchmarks.fuzz import Driver, Step, examples, leaks
from bot.chat import Chat
from store.db import Store
from store.demo import load_demo

FUZZ = settings(max_examples=250, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def test_the_check_sees_pings_and_forged_links() -> None:
    assert leaks({"text": "hi <!channel> <https://evil.example|bank>"}) == [
        "<!channel>", "<https://evil.example|bank>"]
    assert leaks({"text": "&lt;!channel&gt; <@U0ALEX> <#C0SALES>"}) == []


@FUZZ
@given(example_=examples)
@example(example_=[Step(kind="click", user="U0ALEX", target="stage_edit")])
@example(example_=[Step(kind="click", user="U0ALEX", target="followup_done",
                        value="99999999999999999999")])
@example(example_=[Step(kind="click", user="U0ALEX", target="followup_snooze_1",
                        value="1:99999999")])
@example(example_=[Step(kind="click", user="U0ALEX", target="kb_page_next", value="[]")])
@example(example_=[Step(kind="click", user="U0ALEX", target="lead_account_pick_0", value="0")])
@example(example_=[Step(kind="click", user="U0PRIYA", target="choose_1", value='{"id": null}')])
@example(example_=[Step(kind="command", user="U0ALEX",
                        text="/sales log <https://evil.example|x>")])
def test_no_surface_crashes_pings_or_forges_links(store: Store, chat: Chat,
                                                  example_: list[Step]) -> None:
    if not getattr(chat, "_fuzz_ready", False):
        load_demo(store)
        chat.user = "U0ALEX"
        chat._fuzz_ready = True  # type: ignore[attr-defined]
    problems = Driver(chat).run(example_)
    assert not problems, "\n".join(problems)
