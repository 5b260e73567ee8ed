"""Draw the picture on each "Where do you feel pain?" tile: a simple figure, the area marked.

    python scripts/draw_area_tiles.py

Writes assets/areas/AREA.svg for every pain area of SPEC section 1: a grey figure seen from the
front (or from the back, for the lower back and the back of the leg) with the area in a warm
colour. Plain SVG text, a few hundred bytes each, drawn here so the shop owns every line. The
finder's style (views/style.py) puts each picture on its tile; the tile's name and the button
under it stay the control a keyboard or a screen reader uses.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "assets" / "areas"
INK = "#2d3440"
BODY = "#dfe3e8"
MARK = "#c2410c"  # 4.9:1 against the figure's grey: the area reads at a glance

# The figure, 80 x 100: head, trunk, arms, two legs with feet.
FIGURE = (
    '<circle cx="40" cy="11" r="8"/>'
    '<path d="M27 22h26l3 34H24z"/>'
    '<path d="M27 23l-8 27h5l6-22zM53 23l8 27h-5l-6-22z"/>'
    '<path d="M25 55h14l-1 38h-9zM41 55h14l-4 38h-9z"/>'
    '<path d="M27 93h11v4H24zM42 93h11l3 4H42z"/>'
)
# Where each area sits on the figure, and whether the figure is seen from the back.
MARKS = {
    "knee": (
        '<ellipse cx="33" cy="75" rx="6" ry="5"/><ellipse cx="47" cy="75" rx="6" ry="5"/>',
        False,
    ),
    "lower_back": ('<rect x="25" y="42" width="30" height="12" rx="3"/>', True),
    "hip": ('<circle cx="26" cy="56" r="6"/><circle cx="54" cy="56" r="6"/>', False),
    "foot": ('<path d="M26 92h13v6H23zM41 92h13l3 6H41z"/>', False),
    "upper_thigh": ('<path d="M25 57h13v12H27zM42 57h13l-2 12H42z"/>', False),
    "back_of_leg": ('<path d="M27 60h10l-1 30h-7zM43 60h10l-3 30h-7z"/>', True),
}


def tile_svg(area: str) -> str:
    mark, from_behind = MARKS[area]
    # Seen from behind: no face, a line down the spine so the view reads as the back.
    spine = '<path d="M40 24v30" fill="none" stroke-width="1.5"/>' if from_behind else ""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 100" width="80" height="100">'
        f"<title>{area}</title>"
        f'<g fill="{BODY}" stroke="{INK}" stroke-width="1.5" stroke-linejoin="round">'
        f"{FIGURE}{spine}</g>"
        f'<g fill="{MARK}" fill-opacity="0.85" stroke="{MARK}">{mark}</g></svg>\n'
    )


def main() -> int:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for area in MARKS:
        (FOLDER / f"{area}.svg").write_text(tile_svg(area), encoding="utf-8")
    print(f"drew {len(MARKS)} tiles in {FOLDER.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
