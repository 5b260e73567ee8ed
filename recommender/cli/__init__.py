"""The shopper and merchandising command groups; `recommender_cli` builds the parser above them."""
