"""Services the shop's pages call: the serving engine with its last good files, the
questionnaire flow and links, the shopping session, cards, summaries, and staff sign-in."""

from recommender.exports import public_names

__all__, __getattr__, __dir__ = public_names(
    __name__,
    {
        "recommender.shop.last_good": ("load_serving_engine",),
    },
)
