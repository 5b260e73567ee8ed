"""The shopper and merchandising command groups; `recommender_cli` builds the parser above them."""

__all__ = ["admin", "catalog", "feedback", "recommend", "serve", "weights"]
