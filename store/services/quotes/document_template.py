"""The quote document's layout, as data an admin can replace (`SALESBOT_QUOTE_TEMPLATE`).

The bundled `quote_template.yml` holds every default; an admin's copy overrides only the
keys it names (mappings merge, lists replace), so a copy that changes the colours keeps
working when a later release adds a label. A wrong template fails when it is loaded,
naming the file and the key, never half-way through a customer's document.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from store.config_files import PolicyError

BUNDLED = Path(__file__).with_name("quote_template.yml")
FIELDS = ("position", "sku", "description", "quantity", "unit_price", "discount", "total")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Page(_Strict):
    size: Literal["A4", "Letter", "Legal"] = "A4"
    margin_mm: float = Field(default=15, ge=5, le=40)


class Fonts(_Strict):
    regular: str
    bold: str
    size: float = Field(default=9, ge=6, le=14)


class Colors(_Strict):
    accent: str
    muted: str
    rule: str
    heading_fill: str
    watermark: str

    @field_validator("*")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _COLOR.match(value):
            raise ValueError(f"{value!r} is not a colour like #1F4E79")
        return value


class Column(_Strict):
    field: Literal["position", "sku", "description", "quantity", "unit_price", "discount",
                   "total"]
    label: str
    width: float = Field(gt=0)
    align: Literal["L", "C", "R"] = "L"


class Template(_Strict):
    page: Page
    fonts: Fonts
    colors: Colors
    logo_height_mm: float = Field(default=16, ge=5, le=60)
    labels: dict[str, str]
    columns: list[Column] = Field(min_length=1)
    watermarks: dict[str, str] = Field(default_factory=dict)

    def label(self, key: str) -> str:
        return self.labels.get(key, key.replace("_", " ").capitalize())

    def font_path(self, name: str, folder: Path | None) -> Path:
        """A font named in the template: a path (absolute or beside the template file),
        else one of the DejaVu fonts that ship with matplotlib (a dependency already)."""
        given = Path(name)
        for candidate in (given, (folder / given) if folder else None):
            if candidate is not None and candidate.is_absolute() and candidate.is_file():
                return candidate
        return bundled_font(name)


def bundled_font(name: str) -> Path:
    """`DejaVuSans.ttf` from matplotlib's data, found without importing matplotlib."""
    spec = find_spec("matplotlib")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "mpl-data" / "fonts" / "ttf" / Path(name).name
        if path.is_file():
            return path
    raise PolicyError(f"the quote template names the font {name!r}, which is neither a file "
                      "nor a bundled DejaVu font")


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@cache
def _bundled_data() -> dict[str, Any]:
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def load_template(path: Path | None = None) -> tuple[Template, Path | None]:
    """The template (bundled, or an admin's copy over it) and the folder its fonts and
    logo paths are relative to."""
    data = _bundled_data()
    folder: Path | None = None
    if path is not None:
        try:
            override = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read the quote template ({exc.strerror})"
                              ) from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise PolicyError(f"{path}:{mark.line + 1 if mark else 1}: not valid YAML") from exc
        if not isinstance(override, dict):
            raise PolicyError(f"{path}: the quote template is a mapping of keys (page, fonts, "
                              "colors, labels, columns, watermarks)")
        data = _merge(data, override)
        folder = path.resolve().parent
    try:
        template = Template.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise PolicyError(f"{path or BUNDLED}: {where}: {error['msg']}") from exc
    for font in (template.fonts.regular, template.fonts.bold):
        template.font_path(font, folder)  # a missing font fails here, not per document
    return template, folder
