"""Draw a clear picture for every product in a catalog, and the app's neutral placeholder.

    python scripts/draw_product_pictures.py [CATALOG_DIR]

Each picture is a simple line drawing of the product's kind (a sleeve on a knee, a belt on a
torso, an insole, ...) in a colour chosen from the SKU, drawn with Pillow: no downloaded
assets, so the shop owns every pixel. Pictures go to CATALOG_DIR/images/SKU.png and the
`image` column of products.csv is filled in for any product that has none yet. Run it again
after adding products; it redraws every picture and leaves other columns as they are.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
SIZE = (480, 360)
PLACEHOLDER = ROOT / "assets" / "product-placeholder.png"
INK = (45, 52, 64)
SKIN = (236, 214, 196)
# Calm, well-separated product colours; the SKU picks one, so a picture never changes by chance.
COLOURS = (
    (32, 96, 160),
    (0, 121, 107),
    (170, 68, 40),
    (106, 72, 160),
    (46, 125, 50),
    (190, 120, 20),
    (60, 60, 60),
    (160, 40, 90),
)

Draw = ImageDraw.ImageDraw


def _colour(sku: str) -> tuple[int, int, int]:
    return COLOURS[int(hashlib.sha256(sku.encode()).hexdigest(), 16) % len(COLOURS)]


def _tint(colour: tuple[int, int, int], share: float = 0.88) -> tuple[int, int, int]:
    return tuple(round(c + (255 - c) * share) for c in colour)  # type: ignore[return-value]


def _leg(d: Draw) -> None:
    # A leg from mid-thigh to ankle, knee in the middle of the picture.
    d.polygon([(200, 20), (290, 20), (280, 180), (200, 180)], fill=SKIN, outline=INK, width=3)
    d.polygon([(203, 180), (278, 180), (262, 340), (218, 340)], fill=SKIN, outline=INK, width=3)
    d.ellipse((222, 160, 262, 200), outline=(200, 170, 150), width=3)


def knee_sleeve(d: Draw, c) -> None:
    _leg(d)
    d.rounded_rectangle((192, 120, 292, 245), 18, fill=c, outline=INK, width=3)
    d.ellipse((222, 162, 262, 202), outline=_tint(c, 0.5), width=4)


def knee_brace_hinged(d: Draw, c) -> None:
    knee_sleeve(d, c)
    for x in (178, 290):
        d.rounded_rectangle((x, 100, x + 16, 265), 6, fill=(150, 155, 165), outline=INK, width=2)
        d.ellipse((x - 4, 170, x + 20, 194), fill=(210, 212, 218), outline=INK, width=2)
    for y in (110, 235):
        d.rectangle((186, y, 298, y + 14), fill=_tint(c, 0.3), outline=INK, width=2)


def knee_strap(d: Draw, c) -> None:
    _leg(d)
    d.rounded_rectangle((196, 205, 286, 225), 8, fill=c, outline=INK, width=3)


def knee_brace_unloader(d: Draw, c) -> None:
    _leg(d)
    d.rounded_rectangle((182, 40, 200, 320), 6, fill=(150, 155, 165), outline=INK, width=2)
    d.ellipse((176, 168, 206, 198), fill=(210, 212, 218), outline=INK, width=2)
    for y in (60, 140, 220, 290):
        d.rounded_rectangle((186, y, 292, y + 16), 6, fill=c, outline=INK, width=2)


def _torso(d: Draw) -> None:
    d.rounded_rectangle((150, 20, 330, 340), 60, fill=SKIN, outline=INK, width=3)
    d.line((240, 40, 240, 320), fill=(200, 170, 150), width=3)


def back_brace(d: Draw, c) -> None:
    _torso(d)
    d.rounded_rectangle((140, 190, 340, 300), 20, fill=c, outline=INK, width=3)
    d.rounded_rectangle((205, 200, 275, 290), 12, fill=_tint(c, 0.4), outline=INK, width=2)


def si_belt(d: Draw, c) -> None:
    _torso(d)
    d.rounded_rectangle((140, 270, 340, 305), 14, fill=c, outline=INK, width=3)


def posture_corrector(d: Draw, c) -> None:
    _torso(d)
    d.line((170, 50, 310, 250), fill=c, width=22)
    d.line((310, 50, 170, 250), fill=c, width=22)
    d.rounded_rectangle((150, 240, 330, 275), 12, fill=c, outline=INK, width=3)


def lumbar_cushion(d: Draw, c) -> None:
    d.rounded_rectangle((110, 90, 370, 270), 60, fill=c, outline=INK, width=3)
    d.arc((150, 120, 330, 320), 200, 340, fill=_tint(c, 0.6), width=6)


def seat_cushion(d: Draw, c) -> None:
    d.rounded_rectangle((90, 110, 390, 290), 40, fill=c, outline=INK, width=3)
    d.rounded_rectangle((205, 220, 275, 292), 20, fill=(255, 255, 255), outline=INK, width=3)


def orthotic_insole(d: Draw, c) -> None:
    d.ellipse((170, 20, 310, 200), fill=c, outline=INK, width=3)
    d.ellipse((185, 160, 295, 340), fill=c, outline=INK, width=3)
    d.rectangle((188, 110, 292, 250), fill=c)
    d.line((188, 110, 188, 250), fill=INK, width=3)
    d.line((292, 110, 292, 250), fill=INK, width=3)
    d.ellipse((190, 150, 240, 260), fill=_tint(c, 0.5))


def bunion_corrector(d: Draw, c) -> None:
    d.ellipse((160, 40, 320, 340), fill=SKIN, outline=INK, width=3)
    d.ellipse((180, 10, 240, 80), fill=SKIN, outline=INK, width=3)
    d.rounded_rectangle((150, 80, 230, 160), 24, fill=c, outline=INK, width=3)


def hot_cold_therapy(d: Draw, c) -> None:
    d.rounded_rectangle((110, 80, 370, 280), 30, fill=c, outline=INK, width=3)
    for x in (170, 240, 310):
        d.arc((x - 20, 120, x + 20, 170), 180, 360, fill=(255, 255, 255), width=5)
        d.arc((x - 20, 160, x + 20, 210), 0, 180, fill=(255, 255, 255), width=5)
    d.line((150, 240, 330, 240), fill=_tint(c, 0.6), width=5)


def stretch_aid(d: Draw, c) -> None:
    d.rounded_rectangle((80, 140, 400, 220), 40, fill=c, outline=INK, width=3)
    for x in range(140, 360, 60):
        d.line((x, 145, x, 215), fill=_tint(c, 0.5), width=4)


def yoga_prop(d: Draw, c) -> None:
    d.polygon([(120, 170), (260, 130), (360, 170), (220, 210)], fill=_tint(c, 0.4), outline=INK)
    d.polygon([(120, 170), (220, 210), (220, 290), (120, 250)], fill=c, outline=INK)
    d.polygon([(220, 210), (360, 170), (360, 250), (220, 290)], fill=_tint(c, 0.2), outline=INK)


def hip_support(d: Draw, c) -> None:
    d.polygon(
        [(130, 60), (350, 60), (370, 300), (260, 300), (240, 170), (220, 300), (110, 300)],
        fill=c,
        outline=INK,
        width=3,
    )
    d.rectangle((130, 60, 350, 90), fill=_tint(c, 0.4), outline=INK, width=3)


def thigh_sleeve(d: Draw, c) -> None:
    _leg(d)
    d.rounded_rectangle((194, 30, 294, 150), 18, fill=c, outline=INK, width=3)


def compression_socks(d: Draw, c) -> None:
    d.polygon(
        [(200, 20), (280, 20), (280, 250), (340, 290), (330, 340), (200, 330)],
        fill=c,
        outline=INK,
        width=3,
    )
    for y in (60, 110, 160):
        d.line((202, y, 278, y), fill=_tint(c, 0.5), width=4)


DRAWINGS: dict[str, Callable[[Draw, tuple[int, int, int]], None]] = {
    "knee_sleeve": knee_sleeve,
    "knee_brace_hinged": knee_brace_hinged,
    "knee_strap": knee_strap,
    "knee_brace_unloader": knee_brace_unloader,
    "back_brace": back_brace,
    "si_belt": si_belt,
    "posture_corrector": posture_corrector,
    "lumbar_cushion": lumbar_cushion,
    "seat_cushion": seat_cushion,
    "orthotic_insole": orthotic_insole,
    "bunion_corrector": bunion_corrector,
    "hot_cold_therapy": hot_cold_therapy,
    "stretch_aid": stretch_aid,
    "yoga_prop": yoga_prop,
    "hip_support": hip_support,
    "thigh_sleeve": thigh_sleeve,
    "compression_socks": compression_socks,
}


def picture(sku: str, category: str) -> Image.Image:
    colour = _colour(sku)
    image = Image.new("RGB", SIZE, _tint(colour, 0.9))
    DRAWINGS[category](ImageDraw.Draw(image), colour)
    return image


def placeholder() -> Image.Image:
    """A plain grey parcel outline: says "no picture yet" without pretending to be the product."""
    image = Image.new("RGB", SIZE, (238, 240, 243))
    d = ImageDraw.Draw(image)
    grey = (150, 156, 166)
    d.polygon([(160, 140), (240, 100), (320, 140), (240, 180)], outline=grey, width=5)
    d.polygon([(160, 140), (240, 180), (240, 280), (160, 240)], outline=grey, width=5)
    d.polygon([(240, 180), (320, 140), (320, 240), (240, 280)], outline=grey, width=5)
    return image


def main(catalog_dir: Path) -> None:
    products = catalog_dir / "products.csv"
    with products.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    for column in ("image", "url"):
        if column not in columns:
            columns.append(column)
    (catalog_dir / "images").mkdir(exist_ok=True)
    for row in rows:
        name = f"images/{row['sku']}.png"
        picture(row["sku"], row["category"]).save(catalog_dir / name, optimize=True)
        row["image"] = row.get("image") or name
        row["url"] = row.get("url") or f"https://shop.example/products/{row['sku'].lower()}"
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    products.write_text(out.getvalue(), encoding="utf-8")
    placeholder().save(PLACEHOLDER, optimize=True)
    print(f"drew {len(rows)} pictures in {catalog_dir / 'images'} and {PLACEHOLDER}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "catalog")
