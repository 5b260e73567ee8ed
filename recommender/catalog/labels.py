"""How each catalog category reads to a shopper: the one table every page and summary uses."""

from __future__ import annotations

CATEGORY_LABELS: dict[str, str] = {
    "knee_sleeve": "Knee sleeve",
    "knee_brace_hinged": "Hinged knee brace",
    "knee_strap": "Knee strap",
    "knee_brace_unloader": "Unloader knee brace",
    "back_brace": "Back brace",
    "si_belt": "Sacroiliac (SI) belt",
    "posture_corrector": "Posture support",
    "lumbar_cushion": "Lumbar cushion",
    "seat_cushion": "Seat cushion",
    "orthotic_insole": "Orthotic insoles",
    "bunion_corrector": "Bunion corrector",
    "hot_cold_therapy": "Hot and cold therapy",
    "stretch_aid": "Stretching aid",
    "yoga_prop": "Yoga prop",
    "hip_support": "Hip support",
    "thigh_sleeve": "Thigh sleeve",
    "compression_socks": "Compression socks",
}


def category_label(category: str) -> str:
    """'hot_cold_therapy' -> 'Hot and cold therapy'; an unknown id still reads as words."""
    return CATEGORY_LABELS.get(category) or category.replace("_", " ").capitalize()
