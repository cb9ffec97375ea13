"""A Slack user object read into the fields the store keeps about a person."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def profile_fields(user: dict[str, Any]) -> dict[str, Any]:
    """Name (the profile's real name, else the account's), email and time zone."""
    profile = user.get("profile") or {}
    return {
        "name": profile.get("real_name") or user.get("real_name") or user.get("name"),
        "email": profile.get("email"),
        "timezone": user.get("tz"),
    }


def member_fields(user: dict[str, Any]) -> dict[str, Any]:
    """`profile_fields` and whether Slack deactivated the person, as the user_change and
    team_join events carry it."""
    return {**profile_fields(user), "deleted": bool(user.get("deleted"))}


def fetch_profile(client: WebClient, user_id: str) -> dict[str, Any]:
    """`profile_fields` asked of Slack; an empty dict when Slack won't say (the person is
    then created with what little is known, rather than not at all)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return {}
    return profile_fields(user)
