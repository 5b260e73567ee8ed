"""A LightGBM model text read in pure Python, before LightGBM's own parser ever sees it.

LightGBM's C++ loader trusts its input: a child index out of range reads past an array (a
segfault), a tree with a cycle walks forever, `num_class=1000000000` allocates that many
outputs, and a truncated text makes its line scanner run off the end of the buffer. So the text
is checked here first, line by line, against the one shape our trainer writes (a single-output
LambdaRank booster over our features), with every count bounded. Anything else is refused with
`ModelError` naming the tree and field. No LightGBM, numpy or scikit-learn here.

The checks mirror `GBDT::LoadModelFromString` and `Tree::Tree(const char*)` (LightGBM 4.x,
src/boosting/gbdt_model_text.cpp, src/io/tree.cpp): every line `key=value`; `tree_sizes`
pointing exactly at each `Tree=` block (the loader jumps by them); every array of the length
`num_leaves` implies; children forming one tree rooted at node 0.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from recommender.errors import ModelError

__all__ = ["MAX_LEAVES", "MAX_TREES", "TextSummary", "check_model_text"]

# Our trainer allows at most 5,000 rounds of 1,024 leaves (LambdaRanker's parameter limits);
# the bounds leave room above that and far below anything that could exhaust memory.
MAX_TREES = 10_000
MAX_LEAVES = 1_024
MAX_CATEGORY_WORDS = 1 << 16  # cat_threshold bitset words in one tree
MAX_PARAMETER_LINES = 1_000
# LightGBM reads at most 22 key=value lines per tree, then expects a blank line.
MAX_TREE_LINES = 22
OBJECTIVES = ("lambdarank",)
HEADER_KEYS = frozenset(
    {
        "version",
        "num_class",
        "num_tree_per_iteration",
        "label_index",
        "max_feature_idx",
        "objective",
        "average_output",
        "feature_names",
        "monotone_constraints",
        "feature_infos",
        "tree_sizes",
    }
)
INTERNAL_ARRAYS = (
    "split_feature",
    "split_gain",
    "threshold",
    "decision_type",
    "left_child",
    "right_child",
    "internal_value",
    "internal_weight",
    "internal_count",
)
LEAF_ARRAYS = ("leaf_value", "leaf_weight", "leaf_count")
TREE_KEYS = frozenset(
    {
        "num_leaves",
        "num_cat",
        *INTERNAL_ARRAYS,
        *LEAF_ARRAYS,
        "cat_boundaries",
        "cat_threshold",
        "is_linear",
        "shrinkage",
    }
)
_INT = re.compile(r"-?[0-9]{1,10}")
# "[key: value]", where the value has no brackets, or is lists of feature numbers (LightGBM
# writes interaction_constraints as "[0],[1,2,3]").
_INDEX_LIST = r"\[[0-9]{1,6}(?:,[0-9]{1,6}){0,1023}\]"
_PARAMETER = re.compile(
    rf"\[[a-z0-9_]{{1,64}}: (?:[^\[\]\n]{{0,4096}}|{_INDEX_LIST}(?:,{_INDEX_LIST}){{0,63}})\]"
)
_PRINTABLE = re.compile(r"[\x20-\x7e\n]*")
INT32 = 2**31 - 1
UINT32 = 2**32 - 1


@dataclass(frozen=True)
class TextSummary:
    """What a checked text holds: its trees and the largest tree's leaves."""

    trees: int
    max_leaves: int


def check_model_text(text: str, feature_names: Sequence[str]) -> TextSummary:
    """Check `text` is a model our serving can parse and predict with, safely; ModelError
    naming the first problem otherwise. `feature_names` are the booster's expected names."""
    if not _PRINTABLE.fullmatch(text):
        raise _bad("holds characters other than printable ASCII and newlines")
    if not text.startswith("tree\n"):
        raise _bad("does not start with the line 'tree'")
    first_tree = text.find("\nTree=")
    if first_tree < 0:
        raise _bad("holds no trees")
    header = _header(text[len("tree\n") : first_tree + 1], feature_names)
    trees_start = first_tree + 1
    trees_end = text.find("\nend of trees\n", trees_start)
    if trees_end < 0:
        raise _bad("is truncated: no 'end of trees' line")
    trees_end += 1
    sizes = header["tree_sizes"]
    if len(sizes) > MAX_TREES:
        raise _bad(f"tree_sizes lists {len(sizes):,} trees; at most {MAX_TREES:,} are allowed")
    if sum(sizes) != trees_end - trees_start:
        raise _bad(
            f"tree_sizes add up to {sum(sizes):,} bytes but the trees take "
            f"{trees_end - trees_start:,} (truncated or edited)"
        )
    offset, most_leaves = trees_start, 1
    for index, size in enumerate(sizes):
        most_leaves = max(
            most_leaves, _tree(text[offset : offset + size], index, len(feature_names))
        )
        offset += size
    _tail(text[trees_end:])
    return TextSummary(trees=len(sizes), max_leaves=most_leaves)


def _header(block: str, feature_names: Sequence[str]) -> dict:
    values: dict[str, str] = {}
    for line in block.split("\n"):
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep or ("=" in value and key not in ("feature_names", "monotone_constraints")):
            raise _bad(f"header line '{line[:60]}' is not key=value")
        if key not in HEADER_KEYS:
            raise _bad(f"header has an unknown key '{key[:60]}'")
        if key in values:
            raise _bad(f"header repeats '{key}'")
        values[key] = value
    for key in ("version", "num_class", "label_index", "max_feature_idx", "feature_names"):
        if key not in values:
            raise _bad(f"header lacks '{key}'")
    for key in ("feature_infos", "tree_sizes"):
        if key not in values:
            raise _bad(f"header lacks '{key}'")
    if values["version"] != "v4":
        raise _bad(f"version is '{values['version'][:20]}', expected v4")
    for key, wanted in (("num_class", 1), ("num_tree_per_iteration", 1), ("label_index", 0)):
        found = _int(values.get(key, "1" if key == "num_tree_per_iteration" else ""), key)
        if found != wanted:
            raise _bad(f"{key} is {found:,}; a ranking model has {wanted}")
    if values.get("objective", "").split(" ")[0] not in OBJECTIVES:
        raise _bad(
            f"objective '{values.get('objective', '')[:40]}' is not {' or '.join(OBJECTIVES)}"
        )
    count = len(feature_names)
    if _int(values["max_feature_idx"], "max_feature_idx") != count - 1:
        raise _bad(
            f"max_feature_idx is {values['max_feature_idx'][:12]}; our features need {count - 1}"
        )
    if values["feature_names"].split(" ") != list(feature_names):
        raise _bad("feature_names differ from the features this version builds")
    for key in ("feature_infos", "monotone_constraints"):
        if key in values and len(values[key].split(" ")) != count:
            raise _bad(f"{key} does not list {count} features")
    sizes = values["tree_sizes"].split(" ")
    if len(sizes) > MAX_TREES:
        raise _bad(f"tree_sizes lists {len(sizes):,} trees; at most {MAX_TREES:,} are allowed")
    parsed = [_int(size, "tree_sizes") for size in sizes]
    if any(size <= 0 for size in parsed):
        raise _bad("tree_sizes must all be positive")
    return {**values, "tree_sizes": parsed}


def _tree(block: str, index: int, n_features: int) -> int:
    """Check one `Tree=` block; returns its leaf count."""
    where = f"tree {index}"
    head, _, body = block.partition("\n")
    if head != f"Tree={index}":
        raise _bad(f"{where}: tree_sizes do not point at 'Tree={index}' (found '{head[:30]}')")
    lines = body.rstrip("\n").split("\n")
    if not body.endswith("\n\n") or len(lines) > MAX_TREE_LINES:
        raise _bad(f"{where}: not ended by a blank line within {MAX_TREE_LINES} lines")
    fields: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if not sep or key not in TREE_KEYS or key in fields:
            raise _bad(f"{where}: unexpected line '{line[:40]}'")
        fields[key] = value
    leaves = _count(fields, "num_leaves", where, 1, MAX_LEAVES)
    if _count(fields, "is_linear", where, 0, 0, default="0") != 0:
        raise _bad(f"{where}: linear trees are not served")
    if not _finite_floats(fields.get("shrinkage", "1"), 1):
        raise _bad(f"{where}: shrinkage is not one finite number")
    if not _finite_floats(fields.get("leaf_value", ""), leaves):
        raise _bad(f"{where}: leaf_value must be {leaves} finite numbers")
    for key in LEAF_ARRAYS[1:]:
        if key in fields and not _finite_floats(fields[key], leaves):
            raise _bad(f"{where}: {key} must be {leaves} finite numbers")
    if leaves == 1:
        return leaves
    internal = leaves - 1
    for key in INTERNAL_ARRAYS:
        if key not in fields:
            raise _bad(f"{where}: lacks {key}")
        if not _finite_floats(fields[key], internal):
            raise _bad(f"{where}: {key} must be {internal} finite numbers")
    left = _ints(fields["left_child"], internal, where, "left_child")
    right = _ints(fields["right_child"], internal, where, "right_child")
    _one_tree(left, right, leaves, where)
    features = _ints(fields["split_feature"], internal, where, "split_feature")
    if any(not 0 <= feature < n_features for feature in features):
        raise _bad(f"{where}: split_feature outside 0..{n_features - 1}")
    decisions = _ints(fields["decision_type"], internal, where, "decision_type")
    if any(not 0 <= d < 16 or (d >> 2) & 3 == 3 for d in decisions):
        raise _bad(f"{where}: decision_type holds an unknown kind of split")
    _categories(fields, decisions, internal, where)
    return leaves


def _one_tree(left: list[int], right: list[int], leaves: int, where: str) -> None:
    """Children form one binary tree from node 0: every other node and every leaf reached
    exactly once, so no index is out of range and no walk can loop."""
    internal = leaves - 1
    seen_nodes, seen_leaves = [False] * internal, [False] * leaves
    seen_nodes[0] = True
    stack = [0]
    while stack:
        node = stack.pop()
        for child in (left[node], right[node]):
            if child >= 0:
                if child >= internal or child == 0:
                    raise _bad(f"{where}: child index {child} outside 1..{internal - 1}")
                if seen_nodes[child]:
                    raise _bad(f"{where}: node {child} is reached twice (a cycle or a shared node)")
                seen_nodes[child] = True
                stack.append(child)
            else:
                leaf = ~child
                if leaf >= leaves:
                    raise _bad(f"{where}: child index {child} names leaf {leaf} of {leaves}")
                if seen_leaves[leaf]:
                    raise _bad(f"{where}: leaf {leaf} is reached twice")
                seen_leaves[leaf] = True
    if not all(seen_nodes) or not all(seen_leaves):
        raise _bad(f"{where}: some nodes or leaves are not reachable from the root")


def _categories(fields: dict[str, str], decisions: list[int], internal: int, where: str) -> None:
    count = _count(fields, "num_cat", where, 0, internal)
    categorical = [i for i, d in enumerate(decisions) if d & 1]
    if count == 0:
        if categorical or "cat_boundaries" in fields or "cat_threshold" in fields:
            raise _bad(f"{where}: categorical splits without num_cat")
        return
    bounds = _ints(fields.get("cat_boundaries", ""), count + 1, where, "cat_boundaries")
    if bounds[0] != 0 or any(b > a for b, a in itertools.pairwise(bounds)):
        raise _bad(f"{where}: cat_boundaries must rise from 0")
    if bounds[-1] > MAX_CATEGORY_WORDS:
        raise _bad(f"{where}: cat_threshold longer than {MAX_CATEGORY_WORDS:,} words")
    words = _ints(fields.get("cat_threshold", ""), bounds[-1], where, "cat_threshold")
    if any(not 0 <= w <= UINT32 for w in words):
        raise _bad(f"{where}: cat_threshold words must be unsigned 32-bit")
    thresholds = fields["threshold"].split(" ")
    for node in categorical:
        slot = thresholds[node]
        if not _INT.fullmatch(slot) or not 0 <= int(slot) < count:
            raise _bad(f"{where}: categorical split {node} names category set {slot[:12]}")


def _tail(text: str) -> None:
    """After the trees: feature importances, parameters and pandas_categorical, all bounded."""
    lines = text.split("\n")
    parameters = False
    parameter_lines = 0
    for line in lines:
        if line == "parameters:":
            parameters = True
        elif line == "end of parameters":
            parameters = False
        elif parameters and line:
            parameter_lines += 1
            if parameter_lines > MAX_PARAMETER_LINES or not _PARAMETER.fullmatch(line):
                raise _bad(f"parameters line '{line[:40]}' is not [key: value]")
        elif line.startswith("pandas_categorical:") and line != "pandas_categorical:null":
            raise _bad("pandas_categorical must be null (our features are numbers)")
    if "pandas_categorical:null" not in lines:
        raise _bad("is truncated: no pandas_categorical line at the end")


def _count(
    fields: dict[str, str], key: str, where: str, low: int, high: int, default: str | None = None
) -> int:
    raw = fields.get(key, default)
    if raw is None:
        raise _bad(f"{where}: lacks {key}")
    value = _int(raw, f"{where}: {key}")
    if not low <= value <= high:
        raise _bad(f"{where}: {key} is {value:,}, outside {low}..{high:,}")
    return value


def _int(raw: str, what: str) -> int:
    if not _INT.fullmatch(raw) or abs(int(raw)) > INT32:
        raise _bad(f"{what} is not a 32-bit whole number ('{raw[:20]}')")
    return int(raw)


def _ints(raw: str, count: int, where: str, key: str) -> list[int]:
    parts = raw.split(" ")
    if len(parts) != count or not all(_INT.fullmatch(p) for p in parts):
        raise _bad(f"{where}: {key} must be {count} whole numbers")
    values = [int(p) for p in parts]
    if any(abs(v) > UINT32 for v in values):
        raise _bad(f"{where}: {key} holds a number beyond 32 bits")
    return values


def _finite_floats(raw: str, count: int) -> bool:
    parts = raw.split(" ")
    if len(parts) != count:
        return False
    try:
        return all(math.isfinite(float(p)) for p in parts)
    except ValueError:
        return False


def _bad(problem: str) -> ModelError:
    return ModelError(f"model.txt is not a LightGBM model text we can serve: {problem}")
