"""The shop's catalog: products, sizes, pictures, category labels and weights, each read from
its file and checked, with the last good copy kept for when a file goes bad."""

__all__ = [
    "labels",
    "last_good",
    "pictures",
    "products",
    "reading",
    "sizes",
    "validation",
    "weights",
]
