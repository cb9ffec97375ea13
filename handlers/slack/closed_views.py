"""A modal the person closed: acknowledged, nothing else.

Slack sends `view_closed` only for views opened with `notify_on_close`; none of ours asks
for it today, but a form that does (or a payload Slack sends anyway) must not get Bolt's
404 "unhandled request" and its warning. Closing a form changes nothing, so nothing is
written and nobody is told; whatever the form would have done simply did not happen.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App


def register(app: App) -> None:
    @app.view_closed(re.compile(".*"))
    def acknowledge_closed_view(ack: Ack) -> None:
        ack()
