"""The Web API stand-in answers a malformed call with an error the caller can see (and a
test can find in the recorded calls), never a traceback in its server thread."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.localslack import LocalSlack


def _post(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type, "Authorization": "Bearer xoxb-test"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(("body", "error"), [
    (b"channel=C1&text=hi", "invalid_json"),  # a form sent as JSON
    (b"[1, 2]", "json_not_object"),
    (b"\xff\xfe", "invalid_json"),
])
def test_a_body_that_is_not_what_its_type_says_is_refused_and_recorded(
        body: bytes, error: str) -> None:
    with LocalSlack() as slack:
        status, answer = _post(slack.api_url + "chat.postMessage", body,
                               "application/json;charset=utf-8")
        assert (status, answer) == (200, {"ok": False, "error": error})
        assert [(c.method, c.response) for c in slack.calls] == [("chat.postMessage", answer)]
        status, answer = _post(slack.response_url("k1"), body, "application/json")
        assert (status, answer["error"]) == (400, error)
        assert slack.calls[-1].args == {"response_url_key": "k1"}


def test_an_empty_json_body_is_a_call_without_arguments() -> None:
    with LocalSlack() as slack:
        status, answer = _post(slack.api_url + "auth.test", b"", "application/json")
        assert status == 200 and answer["ok"] is True
        assert slack.calls_of("auth.test")[0].args == {}
