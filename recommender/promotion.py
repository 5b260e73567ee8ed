"""Which model is promoted: the registry's small state file, readable without scikit-learn.

Kept apart from `registry` so that serving can find out that nothing is promoted (the default
on a fresh machine) without importing LightGBM and scikit-learn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from recommender.errors import ModelError

STATE_FILE = "registry.json"


def read_state(models_dir: Path) -> dict[str, Any]:
    path = models_dir / STATE_FILE
    if not path.exists():
        return {"promoted": None, "history": []}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelError(f"{path}: unreadable registry state ({error})") from None
    return {"promoted": state.get("promoted"), "history": list(state.get("history", []))}


def promoted_id(models_dir: Path) -> str | None:
    return read_state(models_dir)["promoted"]
