"""Learning from the feedback store: datasets, the re-ranker's training, evaluation, simulation, interleaving studies and analytics."""
