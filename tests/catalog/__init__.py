"""Tests for `recommender.catalog`: products, sizes, weights and how their problems are listed."""
