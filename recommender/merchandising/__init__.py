"""Merchandisers' tools: the service the merchandising page calls (open, preview, save, roll
back), checked proposals, the weights store with its history of saves and the journal that
makes a save one unit, the weights.toml template, what-if previews, test personas and
experiments."""

from recommender.exports import public_names

__all__, __getattr__, __dir__ = public_names(
    __name__,
    {
        "recommender.merchandising.service": (
            "Preview",
            "Workspace",
            "open_files",
            "preview",
            "rollback",
            "save",
            "versions",
        ),
        "recommender.merchandising.personas": ("Persona", "load_personas", "run_suite"),
    },
)
