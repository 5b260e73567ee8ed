"""The shop's catalog: products, sizes, pictures, category labels, prices in the shop's currency
and weights, each read from its file and checked."""

__all__ = [
    "labels",
    "money",
    "pictures",
    "products",
    "reading",
    "sizes",
    "validation",
    "weights",
]
