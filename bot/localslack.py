"""A local stand-in for the Slack Web API, on loopback.

Tests and `salesbot shell` point the app's `WebClient` at it. It answers every
method the app calls with a Slack-shaped reply and records each call (method,
arguments without the token, headers) in order, so a test can assert what a user
would have seen. It can be told to fail the next call of a method (429 with
Retry-After, a 5xx, or an error such as `invalid_auth`), or to hold every call of a
method unanswered until released (a slow Slack).
"""

from __future__ import annotations

import itertools
import json
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TEAM_ID = "T0SALES"
BOT_USER_ID = "U0SALESBOT"
BOT_ID = "B0SALESBOT"


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


@dataclass
class Member:
    id: str
    name: str
    real_name: str
    email: str | None = None
    tz: str = "UTC"
    deleted: bool = False


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    held: dict[str, threading.Event] = field(default_factory=dict)


class BadBody(ValueError):
    """A POST whose body does not read as its Content-Type says; `.error` is the word the
    stand-in answers with."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _decode_args(content_type: str, raw: bytes) -> dict[str, Any]:
    """The arguments of a POST, or `BadBody` (answered as an error, never a traceback: a
    stand-in that crashes on a malformed call hides which caller sent it)."""
    if not raw:
        return {}
    try:
        text = raw.decode("utf-8")
        if "application/json" in content_type:
            decoded = json.loads(text)
            if not isinstance(decoded, dict):
                raise BadBody("json_not_object")
            return decoded
        args: dict[str, Any] = dict(parse_qsl(text, keep_blank_values=True))
        for key in ("blocks", "view", "attachments", "prompts", "metadata", "files"):
            value = args.get(key)
            if isinstance(value, str) and value[:1] in "[{":
                args[key] = json.loads(value)
        return args
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, BadBody):
            raise
        raise BadBody("invalid_json" if "json" in content_type else "invalid_form_data"
                      ) from exc


class LocalSlack:
    """Start with `LocalSlack()`; `.api_url` is the Web API base; `.stop()` when done."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._state = _State()
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="local-slack", daemon=True,
        )
        self._thread.start()

    # -- the public side -------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/respond/{key}"

    def stop(self) -> None:
        for method in list(self._state.held):
            self.release(method)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalSlack:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._state.calls)

    def calls_of(self, *methods: str) -> list[Call]:
        return [c for c in self.calls if c.method in methods]

    def uploaded_files(self) -> list[tuple[dict[str, Any], bytes]]:
        """(files.completeUploadExternal arguments, the bytes sent to its upload URL) of
        every file completed, in order: what a channel would show as shared files."""
        with self._lock:
            calls = [c for c in self._state.calls if c.method == "files.completeUploadExternal"]
            uploads = dict(self._state.uploads)
        done = []
        for call in calls:
            files = call.args.get("files") or []
            if isinstance(files, str):
                files = json.loads(files)
            for entry in files:
                done.append(({**call.args, "file": entry}, uploads.get(str(entry.get("id")), b"")))
        return done

    def clear(self) -> None:
        with self._lock:
            self._state.calls.clear()

    def add_member(self, member: Member) -> None:
        with self._lock:
            self._state.members[member.id] = member

    def fail_next(self, method: str, failure: Failure) -> None:
        """Make the next call of `method` fail as described (once)."""
        with self._lock:
            self._state.failures.setdefault(method, []).append(failure)

    def hold(self, method: str) -> None:
        """Leave calls of `method` unanswered until `release(method)` (at most a minute)."""
        with self._lock:
            self._state.held.setdefault(method, threading.Event())

    def release(self, method: str) -> None:
        with self._lock:
            gate = self._state.held.pop(method, None)
        if gate is not None:
            gate.set()

    # -- answers -----------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"1764000000.{next(self._ts):06d}"

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """The Slack-shaped reply for one Web API method."""
        channel = args.get("channel")
        if method == "auth.test":
            return {"ok": True, "url": "https://salesbot-local.slack.com/", "team": "Local",
                    "user": "salesbot", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID}
        if method == "chat.postMessage":
            ts = self._next_ts()
            if isinstance(channel, str) and channel[:1] in ("U", "W"):
                channel = "D" + channel.lstrip("UW")  # posting to a user lands in their DM
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"text": args.get("text"), "ts": ts, "bot_id": BOT_ID,
                                "blocks": args.get("blocks")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method in ("chat.update", "chat.delete"):
            return {"ok": True, "channel": channel, "ts": args.get("ts"),
                    "text": args.get("text")}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": channel,
                    "permalink": f"https://salesbot-local.slack.com/archives/{channel}/p{ts}"}
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("U")}}
        if method == "users.info":
            return self._user_info(str(args.get("user", "")))
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view = dict(args.get("view") or {})
            view_id = args.get("view_id") or f"V{next(self._ids):08d}"
            return {"ok": True, "view": {**view, "id": view_id, "hash": f"h{view_id}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):08d}"
            return {"ok": True, "file_id": file_id,
                    "upload_url": f"{self.base_url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            if isinstance(files, str):
                files = json.loads(files)
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")}
                                          for f in files]}
        if method in ("conversations.replies", "conversations.history"):
            return {"ok": True, "messages": [], "has_more": False}
        if method.startswith(("assistant.threads.", "reactions.")):
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}

    def _user_info(self, user_id: str) -> dict[str, Any]:
        with self._lock:
            member = self._state.members.get(user_id)
        if member is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {
            "id": member.id, "team_id": TEAM_ID, "name": member.name, "deleted": member.deleted,
            "real_name": member.real_name, "tz": member.tz,
            "profile": {"real_name": member.real_name, "display_name": member.name,
                        "email": member.email},
        }}

    # -- HTTP plumbing ------------------------------------------------------------------
    def _next_failure(self, method: str) -> Failure | None:
        with self._lock:
            pending = self._state.failures.get(method)
            return pending.pop(0) if pending else None

    def _wait_if_held(self, method: str) -> None:
        with self._lock:
            gate = self._state.held.get(method)
        if gate is not None:
            gate.wait(timeout=60)

    def _record(self, method: str, args: dict[str, Any], headers: dict[str, str],
                response: dict[str, Any]) -> None:
        safe_args = {k: v for k, v in args.items() if k != "token"}
        safe_headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        with self._lock:
            self._state.calls.append(Call(method, safe_args, safe_headers, response))

    def _respond(self, key: str, content_type: str, raw: bytes,
                 headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """A POST to response URL `key`: (HTTP status, body)."""
        failure = self._next_failure("respond")
        if failure is not None:  # a response URL that fails (5xx, 429) once
            return failure.status, {"ok": False, "error": failure.error}
        try:
            args = _decode_args(content_type, raw)
        except BadBody as bad:  # Slack's response URLs answer 400 to these
            refusal = {"ok": False, "error": bad.error}
            self._record("respond", {"response_url_key": key}, headers, refusal)
            return 400, refusal
        self._record("respond", {**args, "response_url_key": key}, headers, {"ok": True})
        return 200, {"ok": True}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:  # keep test output clean
                return

            def _reply(self, status: int, body: dict[str, Any],
                       headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                with suppress(BrokenPipeError, ConnectionResetError):  # the caller died
                    self.end_headers()
                    self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = {k: v for k, v in self.headers.items()}
                if self.path.startswith("/upload/"):
                    with stand_in._lock:
                        stand_in._state.uploads[self.path.rsplit("/", 1)[-1]] = raw
                    self._reply(200, {"ok": True})
                    return
                if self.path.startswith("/respond/"):
                    self._reply(*stand_in._respond(self.path.rsplit("/", 1)[-1],
                                                   self.headers.get("Content-Type", ""), raw,
                                                   headers))
                    return
                if not self.path.startswith("/api/"):
                    self._reply(404, {"ok": False, "error": "not_found"})
                    return
                method = self.path[len("/api/"):].split("?", 1)[0]
                if not self.headers.get("Authorization", "").startswith("Bearer "):
                    self._reply(200, {"ok": False, "error": "not_authed"})
                    return
                try:
                    args = _decode_args(self.headers.get("Content-Type", ""), raw)
                except BadBody as bad:  # as Slack: HTTP 200, ok false, why
                    body = {"ok": False, "error": bad.error}
                    stand_in._record(method, {}, headers, body)
                    self._reply(200, body)
                    return
                stand_in._wait_if_held(method)
                failure = stand_in._next_failure(method)
                if failure is not None:
                    body = {"ok": False, "error": failure.error or "ratelimited"}
                    stand_in._record(method, args, headers, body)
                    extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
                    self._reply(failure.status, body, extra)
                    return
                answer = stand_in.answer(method, args)
                stand_in._record(method, args, headers, answer)
                self._reply(200, answer)

        return Handler
