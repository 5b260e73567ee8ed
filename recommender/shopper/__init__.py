"""The shopper core: answers in, safe ranked products with reasons out.

Raw answers become validated frozen `Answers` (answers), then features and matched conditions
(features, conditions), a red-flag triage and product cautions (safety), the rules' scores over
the whole catalog (rules, scoring), advice, contrasts and suggestions, all assembled by `Engine`
(engine) into a `Result` (result). Rules, cautions and advice are data tables in `data/`.
Nothing here imports a database, a learner or a page toolkit (an import-linter contract).
"""

__all__ = [
    "advice",
    "answers",
    "conditions",
    "contrast",
    "coverage",
    "engine",
    "features",
    "guidance",
    "kinds",
    "result",
    "rules",
    "safety",
    "scoring",
    "sections",
    "suggestions",
]
