"""Docs-site markup in imported markdown: what is markup goes, what is text stays.

Admins import folders straight from a git checkout of their docs site (Hugo, Docusaurus,
MkDocs, GitBook, Google-Docs exports), so pages carry markup no reader of an article in
Slack wants to see and no search should match on:

- HTML comments (multi-line ones too) and `<script>`/`<style>` blocks: removed whole.
- HTML tags (`<span style=…>`, `<td>`, `<br>`, `<details>`, JSX like `<TabItem …>`):
  removed, their text kept; block tags become line breaks so table cells and paragraphs
  do not run together. Entities (`&amp;`, `&nbsp;`) become the characters they name.
- Template and shortcode calls: Hugo `{{< name … >}}` / `{{% … %}}` (the text between an
  opening and a closing one is kept), `{{ … }}` macros (MkDocs, Jinja, generators).
- Docusaurus/MDX: `import … from '…'` / `export …` lines, `:::note Title` fences (the
  title is kept); MkDocs admonitions `!!! note "Title"` (the title is kept, the body is
  un-indented so it reads as text, not code).
- Kramdown/Hugo attribute lists such as `{: .class}` and `{#anchor}` after a heading.

Fenced code blocks (```` ``` ```` or `~~~`) are left exactly as written: there, markup is
the text.
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|tr|li|ul|ol|table|thead|tbody|h[1-6]|details|summary|section|"
    r"blockquote|hr|dt|dd|dl|pre|figure|figcaption)\b[^>]*?/?>", re.IGNORECASE)
_CELL_TAG = re.compile(r"</?(?:td|th)\b[^>]*>", re.IGNORECASE)
# a tag: <name attrs>, </name>, <name/>; JSX names may be capitalised or dotted. A `<` that
# does not open a tag ("a < b", "<3", "<https://…>" autolinks) is not touched.
_TAG = re.compile(r"</?[A-Za-z][\w.:-]*(?:\s+[^<>]*?)?\s*/?>")
_AUTOLINK = re.compile(r"^<(?:https?://|mailto:)", re.IGNORECASE)
# a call never holds another `{{` (or `{%`), so a page full of unclosed ones is read once
_SHORTCODE = re.compile(r"\{\{[<%](?:[^{]|\{(?![{%]))*?[%>]\}\}")
_MACRO = re.compile(r"\{\{(?:[^{]|\{(?![{%]))*?\}\}|\{%(?:[^{]|\{(?![{%]))*?%\}")
_MDX_LINE = re.compile(r"^(?:import\s+.+?\s+from\s+['\"].+?['\"];?|export\s+(?:default\s+)?"
                       r"(?:const|function|let|var)\b.*)\s*$")
_ADMONITION_FENCE = re.compile(r"^\s*:{3,}\s*(\w+)?\s*(.*?)\s*$")
_MKDOCS_ADMONITION = re.compile(r"^(?:!!!|\?\?\?\+?)\s*(\w+)(?:\s+\"([^\"]*)\")?\s*$")
_ATTRIBUTES = re.compile(r"\{:?\s*[#.][\w\s#.=\"'-]*\}$")
_BLANKS = re.compile(r"\n{3,}")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")


def _tags_out(text: str) -> str:
    text = _SCRIPT.sub("", text)
    text = _BLOCK_TAG.sub("\n", text)
    text = _CELL_TAG.sub(" ", text)
    return _TAG.sub(lambda m: m.group(0) if _AUTOLINK.match(m.group(0)) else "", text)


_INLINE_CODE = re.compile(r"(`+)[^`\n]+?\1")
_HELD = re.compile(r"\x00(\d+)\x00")


def _prose(text: str) -> str:
    """Markup out of text that is not inside a code fence; `inline code` is kept as is."""
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match.group(0))
        return f"\x00{len(held) - 1}\x00"

    text = _INLINE_CODE.sub(hold, text.replace("\x00", ""))
    text = _HELD.sub(lambda m: held[int(m.group(1))], _markup_out(text))
    return text


def _markup_out(text: str) -> str:
    text = _COMMENT.sub("", text)
    text = _SHORTCODE.sub("", text)
    text = _MACRO.sub("", text)
    text = _tags_out(text)
    lines: list[str] = []
    dedent = False  # inside a MkDocs admonition: its indented body is text
    for line in text.split("\n"):
        if _MDX_LINE.match(line):
            continue
        fence = _ADMONITION_FENCE.match(line)
        if fence:
            title = fence.group(2) or ""
            if title:
                lines.append(f"**{title}**")
            continue
        mkdocs = _MKDOCS_ADMONITION.match(line)
        if mkdocs:
            title = mkdocs.group(2) if mkdocs.group(2) is not None else mkdocs.group(1).title()
            if title:
                lines.append(f"**{title}**")
            dedent = True
            continue
        if dedent:
            if line.startswith("    ") or line.startswith("\t"):
                line = line[4:] if line.startswith("    ") else line[1:]
            elif line.strip():
                dedent = False
        if line.lstrip().startswith("#"):
            line = _ATTRIBUTES.sub("", line.rstrip()).rstrip()
        lines.append(line)
    text = "\n".join(lines)
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def strip_docs_markup(text: str) -> str:
    """TEXT with docs-site markup removed outside code fences (see the module docstring)."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence is None:
            if opened:
                out.append(_prose("\n".join(prose)))
                prose = []
                fence = opened.group(1)
                out.append(line)
            else:
                prose.append(line)
        else:
            out.append(line)
            if opened and opened.group(1) == fence:
                fence = None
    if prose:
        out.append(_prose("\n".join(prose)))
    return _BLANKS.sub("\n\n", "\n".join(out)).strip("\n")
