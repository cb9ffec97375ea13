"""How reps say a stage: its name, each part of a two-part name, the usual short forms (its
initials too: "VP"), and
the words for winning and losing. Built from the stages the store holds, so a stage renamed
in `/sales stages` is understood by its new name at once; no stage name is written here."""

from __future__ import annotations

from handlers.language.spotting import Known, name_words

WON_WORDS = ("won", "win", "signed", "closed", "closed won", "booked", "inked")
LOST_WORDS = ("lost", "closed lost", "dead", "lost to", "killed")
VAGUE = frozenset({"review", "stage", "open", "closed", "done", "new", "final", "pending"})
"""Words that, as one part of a two-part stage name, name no stage when said alone."""
NOT_INITIALS = frozenset({"na", "pr", "ok", "am", "pm", "it", "us", "be", "go", "no", "so",
                          "do", "in", "on", "at", "to", "of", "or", "an", "as", "is", "me",
                          "my", "we", "he", "hi", "id", "if", "up"})
"""Initials that are everyday words or mean something else in a sales chat ("PR")."""
_SHORT_FROM = 8  # a first word this long is also said by its first four letters ("prop")
_SHORT_LAST_FROM = 10  # "value prop" for "Value Proposition"


def stage_known(stage_id: int, name: str, *, is_won: bool = False,
                is_lost: bool = False) -> Known:
    """One stage as the spotter reads it."""
    phrases: list[str] = []
    parts = [p.strip() for p in name.replace("&", "/").split("/") if p.strip()]
    for part in parts if len(parts) > 1 else []:
        if len(name_words(part)) > 1 or name_words(part)[0] not in VAGUE:
            phrases.append(part)  # not "Review" alone: a "security review" is no stage
    for part in parts:
        words = name_words(part)
        if words and len(words[0]) >= _SHORT_FROM:
            phrases.append(words[0][:4])
        if len(words) >= 2 and len(words[-1]) >= _SHORT_LAST_FROM:
            phrases.append(" ".join([*words[:-1], words[-1][:4]]))
        initials = "".join(w[0] for w in words)
        if len(words) >= 2 and initials not in NOT_INITIALS:
            phrases.append(initials)  # "VP" for "Value Proposition"
    if is_won:
        phrases.extend(WON_WORDS)
    if is_lost:
        phrases.extend(LOST_WORDS)
    tag = "won" if is_won else "lost" if is_lost else None
    return Known("stage", stage_id, name, phrases=tuple(dict.fromkeys(phrases)), tag=tag)
