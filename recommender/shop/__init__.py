"""Services the shop's pages call: the questionnaire flow and links, the shopping session,
cards and prices, the session policy, summaries, and staff sign-in."""

__all__ = [
    "auth",
    "cards",
    "finder_flow",
    "links",
    "money",
    "policy",
    "questionnaire",
    "shopping",
    "signin_guard",
    "summary",
]
