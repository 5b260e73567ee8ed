"""The shop's catalog: products, sizes, pictures, category labels, prices in the shop's currency
and weights, each read from its file and checked."""

from recommender.exports import public_names

__all__, __getattr__, __dir__ = public_names(
    __name__,
    {
        "recommender.catalog.products": ("Catalog", "load_catalog", "parse_catalog"),
        "recommender.catalog.weights": (
            "Weights",
            "load_weights",
            "parse_weights",
            "weights_from_bytes",
        ),
        "recommender.catalog.validation": ("catalog_problems",),
        "recommender.catalog.money": ("Money",),
    },
)
