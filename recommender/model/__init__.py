"""The learned side: the ranker contract, the learned ranker and its features, the model
registry with its verified files, serving, promotion and interleaving."""

__all__ = [
    "cards",
    "features",
    "interleave_candidate",
    "interleaving",
    "learned",
    "model_files",
    "promotion",
    "ranker",
    "records",
    "registry",
    "serving",
]
