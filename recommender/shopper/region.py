"""Where to go for help in the shop's region: the emergency number and the words for care.

`data/regions.toml` holds one row per region (SPEC section 2 revision 3, `RECOMMENDER_REGION`).
Safety and advice texts are templates naming these words as `{emergency_number}`, `{doctor}`
and so on; a book is filled in once for the region the shop is set to, so every message, the
finder, the API and the clinician summary read the same words.
"""

from __future__ import annotations

import functools
import string
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from recommender.errors import InputError, short_value

REGION_SETTING = "RECOMMENDER_REGION"
DEFAULT_REGION = "GB"
REGIONS_TABLE = "regions.toml"


@dataclass(frozen=True, slots=True)
class Region:
    """One region's care words; each field is a placeholder the texts may use."""

    code: str
    emergency_number: str
    emergency_department: str
    doctor: str
    physio: str
    urgent_care: str

    @property
    def words(self) -> dict[str, str]:
        """The placeholders and what they read as here (the code is not a placeholder)."""
        words = asdict(self)
        del words["code"]
        return words


CARE_WORDS = tuple(name for name in Region.__slots__ if name != "code")


def region_for(code: str | None) -> Region:
    """The region for an ISO 3166 code (None or empty: GB), refused by the setting's name."""
    wanted = (code or DEFAULT_REGION).strip().upper()
    found = _regions().get(wanted)
    if found is None:
        known = ", ".join(sorted(_regions()))
        raise InputError(
            f"setting {REGION_SETTING}: {short_value(code)} is not a region we have care words "
            f"for (one of {known})"
        )
    return found


def placeholders(template: str) -> tuple[str, ...]:
    """The `{names}` a template uses, in order."""
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def fill(template: str, region: Region, keep: tuple[str, ...] = ()) -> str:
    """`template` with the region's words filled in; the placeholders in `keep` (such as
    `{evidence}`, filled per shopper) stay as they are."""
    return template.format(**region.words, **{name: f"{{{name}}}" for name in keep})


def unknown_placeholders(template: str, keep: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Placeholders that neither the region nor `keep` fills: a table's typo, found at load."""
    try:
        names = placeholders(template)
    except ValueError:  # an unmatched brace
        return ("an unmatched brace",)
    return tuple(name for name in names if name not in CARE_WORDS and name not in keep)


@functools.cache
def _regions() -> dict[str, Region]:
    data = resources.files("recommender.shopper.data").joinpath(REGIONS_TABLE)
    return _build(tomllib.loads(data.read_text(encoding="utf-8")))


def _build(table: dict[str, Any]) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for row in table.get("region", []):
        words = {name: row[name] for name in CARE_WORDS}
        for code in row["codes"]:
            regions[code] = Region(code=code, **words)
    return regions
