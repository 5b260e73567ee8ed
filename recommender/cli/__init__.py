"""The `recommender` command line: one module per command group, one error boundary."""
