"""A lead said in one sentence → its fields.

"Jane Roe, CTO at Hooli, met at the trade show, jane@hooli.com" reads as name Jane Roe,
title CTO, company Hooli, source "trade show", email jane@hooli.com. The sentence is cut at
commas and semicolons; the first piece is the person (possibly "Jane Roe from Hooli" or
"Jane Roe (Hooli)"); "TITLE at COMPANY" gives both; an email or a phone number is
recognised wherever it is; "met at …", "via …", "source: …", "referred by …" say where the
lead came from (before the person too: "from the webinar - Tom Jones at Cyberdyne"); a lone
piece is the company when none was named, else the title when it looks like one, else part
of the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_PIECES = re.compile(r"\s*[,;]\s*|\s+-\s+")
_PERSON_AT = re.compile(r"^(?P<person>.+?)\s*(?:\((?P<paren>[^)]+)\)|\s+(?:from|at|of|@)\s+"
                        r"(?P<company>.+))$", re.I)
_TITLE_AT = re.compile(r"^(?P<title>.+)\s+(?P<glue>at|@|from)\s+(?P<company>.+)$|"
                       r"^(?P<title_of>.+?)\s+(?P<glue_of>of)\s+(?P<company_of>.+)$", re.I)
""""head of procurement at duff beer": the last "at" splits title from company; "of" only
when there is none ("vp of acme")."""
_SOURCE = re.compile(r"^(?:(?:we\s+|i\s+)?met\s+(?:\w+\s+)?(?:at|during|on|in)|via|through|"
                     r"source\s*:?|came\s+from|came\s+in\s+(?:from|via)|referred\s+by|"
                     r"referral\s+from|from\s+the|inbound\s+from|found\s+us\s+(?:at|via|on))"
                     r"\s+(?:the\s+|a\s+|an\s+|our\s+)?(?P<source>.+)$", re.I)
_NO_PERSON = re.compile(r"^(?:(?:at|from|for|with|of)\b|@\s)", re.I)
"""A first piece that opens with where, not who: "at tyrell corp" ("@dana" is a person)."""
_TITLE_WORDS = re.compile(
    r"\b(?:ceo|cto|cfo|coo|cio|ciso|cmo|cro|vp|svp|evp|president|founder|co-founder|owner|"
    r"director|head|manager|lead|engineer|architect|officer|partner|buyer|procurement|"
    r"admin|administrator|analyst|consultant|chief|principal|it)\b", re.I)


@dataclass(frozen=True)
class LeadFields:
    name: str
    company: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None


def parse_lead(text: str) -> LeadFields | None:
    """The fields of a lead sentence, or None when no name can be found."""
    text = " ".join((text or "").split())
    email = _EMAIL.search(text)
    if email:
        text = (text[:email.start()] + text[email.end():]).strip()
    phone = _PHONE.search(text)
    if phone:
        text = (text[:phone.start()] + text[phone.end():]).strip()
    pieces = [p.strip(" .") for p in _PIECES.split(text) if p.strip(" .")]
    if not pieces:
        return None
    sources: list[str] = []
    while len(pieces) > 1 and (said := _SOURCE.match(pieces[0])):
        sources.append(said["source"].strip())  # "a lead from the webinar - tom jones …"
        pieces = pieces[1:]
    name, company, title = pieces[0], None, None
    if _SOURCE.match(name) or _NO_PERSON.match(name):
        return None  # "lead from the trade show", "lead at tyrell": no one named yet
    if found := _PERSON_AT.match(name):
        name, company = found["person"].strip(), (found["paren"] or found["company"]).strip()
    for piece in pieces[1:]:
        if found := _SOURCE.match(piece):
            sources.append(found["source"].strip())
        elif title is None and (found := _TITLE_AT.match(piece)) and not (
                company and found["glue_of"]):  # "head of IT" at a known company
            title = (found["title"] or found["title_of"]).strip()
            company = company or (found["company"] or found["company_of"]).strip()
        elif title is None and _TITLE_WORDS.search(piece) and len(piece.split()) <= 5:
            title = piece
        elif company is None:
            company = piece
        else:
            sources.append(piece)
    if not name or _EMAIL.fullmatch(name):
        return None
    return LeadFields(name=name[:200], company=company, title=title,
                      email=email.group(0) if email else None,
                      phone=phone.group(0).strip() if phone else None,
                      source=", ".join(sources) or None)
