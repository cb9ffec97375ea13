"""The markdown marks that reading an article for the index and rendering it for Slack
recognise the same way. Each reader keeps its own patterns where it treats a mark
differently (the index also strips `~~~` fences, numbered items and horizontal rules;
Slack rendering keeps a bullet's indent and turns links into <url|label>)."""

from __future__ import annotations

import re

# "## Title ##": the heading's text, without the hashes around it
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
# "*word*" emphasis, but not "**", "a*b" or a lone "*" in a list or a sum
STAR_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
