"""Merchandisers' tools: the weights store with its history of saves, what-if previews,
test personas and experiments."""

__all__ = ["experiments", "history", "personas", "weights_store", "whatif"]
