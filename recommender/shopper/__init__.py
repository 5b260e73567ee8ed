"""The shopper core: answers in, safe ranked products with reasons out.

Raw answers become validated frozen `Answers` (answers), then features and matched conditions
(features, conditions), a red-flag triage and product cautions (safety), the rules' scores over
the whole catalog (rules, scoring), advice, contrasts and suggestions, all assembled by `Engine`
(engine) into a `Result` (result). Rules, cautions and advice are data tables in `data/`.
Nothing here imports a database, a learner or a page toolkit (an import-linter contract).
"""

from recommender.exports import public_names

__all__, __getattr__, __dir__ = public_names(
    __name__,
    {
        "recommender.shopper.answers": ("Answers", "parse_answers", "parse_answers_json"),
        "recommender.shopper.engine": ("Engine", "build_engine", "load_engine"),
        "recommender.shopper.result": (
            "Advice",
            "Excluded",
            "Item",
            "Reason",
            "Result",
            "ScoreParts",
            "Suggestion",
            "Triage",
        ),
        "recommender.shopper.ranker": ("RULES_ONLY", "Pairs", "Ranker", "RulesOnlyRanker"),
    },
)
