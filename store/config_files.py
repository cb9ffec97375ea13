"""Configuration files (YAML) read into pydantic models, with errors that name the line.

The approval policy and the workflow rules are checked at start-up; an admin who made a
mistake reads `FILE:LINE: where: what is wrong` instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class PolicyError(ValueError):
    """A configuration file is wrong; the message names the file and line."""


def line_of(node: yaml.Node, path: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at `path` (as deep as the path resolves)."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(
                node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            break
        node = found
    return node.start_mark.line + 1


def load_yaml_model(path: Path, model: type[Model], what: str) -> Model:
    """Read `path` as YAML and validate it as `model`; PolicyError on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise PolicyError(f"{path}:{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
                          ) from exc
    if node is None:
        raise PolicyError(f"{path}:1: the {what} is empty; it needs a `rules:` list")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise PolicyError(f"{path}:{line_of(node, tuple(error['loc']))}: {where}: "
                          f"{error['msg']}") from exc
