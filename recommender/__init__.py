"""Safe, explained product recommendations for braces, insoles and comfort supports.

The main entry points, as a user imports them (each loaded on first use):

    from recommender import load_engine, parse_answers
    engine = load_engine(Path("catalog"))
    result = engine.recommend(parse_answers({"pain_areas": ["knee"]}), k=3)

The subpackages (`shopper`, `catalog`, `model`, `feedback`, `merchandising`, `feed`, `shop`,
`api`, `cli`) export their own classes and functions the same way.
"""

from recommender.exports import public_names

__all__, __getattr__, __dir__ = public_names(
    __name__,
    {
        "recommender.shopper.answers": ("Answers", "parse_answers", "parse_answers_json"),
        "recommender.shopper.engine": ("Engine", "build_engine", "load_engine"),
        "recommender.shopper.result": ("Result",),
        "recommender.shopper.ranker": ("RULES_ONLY", "Pairs", "Ranker", "RulesOnlyRanker"),
        "recommender.shop.last_good": ("load_serving_engine",),
        "recommender.catalog.products": ("Catalog", "load_catalog"),
        "recommender.catalog.weights": ("Weights", "load_weights"),
        "recommender.feedback.store": ("FeedbackStore",),
        "recommender.settings": ("Settings",),
        "recommender.errors": ("RecommenderError", "InputError", "CatalogError"),
        "recommender.api.app": ("create_app",),
    },
)
