"""Safe, explained product recommendations for braces, insoles and comfort supports."""
