"""The learned side: the ranker contract, the learned ranker and its features, the model
registry with its verified files, serving, promotion and interleaving."""

__all__ = [
    "features",
    "interleave_candidate",
    "interleaving",
    "learned",
    "promotion",
    "ranker",
    "records",
    "registry",
    "serving",
]
