"""The gate in front of `/slack/events`: what reaches Bolt is a signed, well-formed,
reasonably sized Slack request, and everything else is refused with a plain status.

Bolt verifies signatures too, but only after it has read and parsed the body, and it
answers 500 with a traceback for a timestamp that is not an integer, or for a body it
cannot parse; its error handler may then act on what an unsigned body names. Slack's
payloads are small (a view submission with every field filled is a few tens of KB), so a
body above `MAX_BODY_BYTES` is refused from its Content-Length before it is read. A
refusal is logged as a fact (status, reason), never with the body: it may hold tokens and
message text.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Refusal:
    status: str
    reason: str


@dataclass(frozen=True)
class Admitted:
    body: bytes
    payload: dict[str, Any]
    """The body parsed: the event's JSON, or the form with its `payload` JSON in its place
    (the log line reads its ids from it, without parsing the body again)."""


def admit(environ: dict[str, Any], verifier: SignatureVerifier) -> Admitted | Refusal:
    """Read and check one request to `/slack/events`: its method, size, signature and
    shape, in that order, so nothing unsigned is ever parsed."""
    if environ.get("REQUEST_METHOD") != "POST":
        return Refusal("405 Method Not Allowed", "only POST is accepted")
    length = _content_length(environ)
    if isinstance(length, Refusal):
        return length
    body = environ["wsgi.input"].read(length) if length else b""
    if len(body) != length:
        return Refusal("400 Bad Request", "the body is shorter than its Content-Length")
    try:
        text = body.decode("utf-8")  # Slack sends UTF-8; the signature is over that text
    except UnicodeDecodeError:
        return Refusal("400 Bad Request", "the body is not UTF-8")
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or not signature:
        return Refusal("401 Unauthorized", "missing or malformed signature headers")
    if not verifier.is_valid(text, timestamp, signature):
        return Refusal("401 Unauthorized", "bad signature or stale timestamp")
    payload = _parsed(text, environ.get("CONTENT_TYPE", ""))
    if payload is None:
        return Refusal("400 Bad Request", "the body is not a Slack payload")
    return Admitted(body, payload)


def _content_length(environ: dict[str, Any]) -> int | Refusal:
    raw = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not (raw.isascii() and raw.isdigit()):
        return Refusal("400 Bad Request", "Content-Length is not a number")
    if int(raw) > MAX_BODY_BYTES:
        return Refusal("413 Content Too Large", "the body is larger than any Slack payload")
    return int(raw)


def _parsed(text: str, content_type: str) -> dict[str, Any] | None:
    """A JSON object (events), or a form (commands) whose `payload`, when present, is a
    JSON object (interactivity); None for anything else, which would only make Bolt fail."""
    try:
        if "json" in content_type:
            data = json.loads(text)
            return data if isinstance(data, dict) else None
        form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
        if "payload" in form:
            payload = json.loads(form["payload"])
            return payload if isinstance(payload, dict) else None
        return form or None
    except ValueError:  # JSONDecodeError, and parse_qsl's strict parsing
        return None
