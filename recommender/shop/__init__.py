"""Services the shop's pages call: the serving engine with its last good files, the
questionnaire flow and links, the shopping session, cards, summaries, and staff sign-in."""

__all__ = [
    "auth",
    "cards",
    "finder_flow",
    "last_good",
    "links",
    "questionnaire",
    "shopping",
    "signin_guard",
    "summary",
]
