"""Merchandisers' tools: the service the merchandising page calls (open, preview, save, roll
back), checked proposals, the weights store with its history of saves and the journal that
makes a save one unit, the weights.toml template, what-if previews, test personas and
experiments."""

__all__ = [
    "experiments",
    "history",
    "personas",
    "proposals",
    "service",
    "weights_file",
    "weights_store",
    "whatif",
]
