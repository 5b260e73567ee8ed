"""The learned side: the ranker contract, the learned ranker and its features, the model
registry with its verified files, serving, promotion and interleaving."""

from recommender.exports import public_names

__all__, __getattr__, __dir__ = public_names(
    __name__,
    {
        "recommender.model.learned": ("LambdaRanker", "LearnedReranker"),
        "recommender.model.registry": ("load_for_serving", "serving_status"),
        "recommender.model.promotion": ("promoted_id", "rollback", "set_promoted"),
    },
)
