"""Writes the example feeds in tests/feed/examples and catalog/feed-mapping.toml.

Run from the repository root: `python tests/feed/make_examples.py`. The feeds describe the
bundled catalog as a shop would publish it: one item per size (colour variants for a few),
some sizes sold out, safety properties as Merchant Center product details or Shopify
metafields, except where the mapping states them for a whole product type. The output is
committed; this script only documents how it was made and remakes it after a catalog change.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "examples"
SHOP = "https://shop.example"
SAFETY = ("heat", "cold", "compression", "magnetic")

TYPES = {
    "knee_sleeve": "Supports > Knee > Sleeves",
    "knee_brace_hinged": "Supports > Knee > Hinged Braces",
    "knee_strap": "Supports > Knee > Straps",
    "knee_brace_unloader": "Supports > Knee > Unloader Braces",
    "back_brace": "Supports > Back > Braces & Belts",
    "si_belt": "Supports > Back > SI Belts",
    "posture_corrector": "Supports > Back > Posture",
    "lumbar_cushion": "Seating > Lumbar Cushions",
    "seat_cushion": "Seating > Seat Cushions",
    "orthotic_insole": "Footcare > Insoles",
    "bunion_corrector": "Footcare > Bunion Care",
    "hot_cold_therapy": "Therapy > Hot & Cold",
    "stretch_aid": "Fitness > Stretching",
    "yoga_prop": "Fitness > Yoga",
    "hip_support": "Supports > Hip",
    "thigh_sleeve": "Supports > Thigh",
    "compression_socks": "Footcare > Compression Socks",
}
# Product types whose safety properties the mapping states for every product of the type
# (none of them warms, cools, compresses or holds magnets); the feed is silent on them.
MAPPED_SAFETY = {"lumbar_cushion", "seat_cushion", "stretch_aid", "yoga_prop", "bunion_corrector"}
CHARTS = {
    "knee": ("knee_cm", {"S": (30, 34), "M": (34.5, 38), "L": (38.5, 42), "XL": (42.5, 47)}),
    "altoform_knee": ("knee_cm", {"S": (31, 35), "M": (35.5, 39.5), "L": (40, 45)}),
    "waist": ("waist_cm", {"S": (60, 75), "M": (75.5, 90), "L": (90.5, 105), "XL": (105.5, 120)}),
    "thigh": ("thigh_cm", {"S": (40, 47), "M": (47.5, 54), "L": (54.5, 61)}),
    "calf": ("calf_cm", {"S": (28, 33), "M": (33.5, 38), "L": (38.5, 43)}),
    "shoe": (
        "shoe_eu",
        {"EU 36-38": (36, 38), "EU 39-41": (39, 41), "EU 42-44": (42, 44), "EU 45-47": (45, 47)},
    ),
}
CHART_OF_TYPE = {
    "knee_sleeve": "knee",
    "knee_brace_hinged": "knee",
    "knee_strap": "knee",
    "knee_brace_unloader": "knee",
    "back_brace": "waist",
    "si_belt": "waist",
    "posture_corrector": "waist",
    "hip_support": "waist",
    "thigh_sleeve": "thigh",
    "compression_socks": "calf",
    "orthotic_insole": "shoe",
}
CHART_OF_SKU = {"KS-103": "altoform_knee", "KT-302": "altoform_knee", "TS-172": "thigh"}
ONE_SIZE = {"BB-503", "HC-132", "KT-301"}  # wraps and straps that fit everyone
COLOURS = {"OI-113": ("Black", "Sand"), "CS-181": ("Black", "Navy")}
SOLD_OUT_SIZES = {("KS-101", "XL"), ("BB-501", "S"), ("OI-111", "EU 45-47"), ("CS-182", "L")}


def products() -> list[dict[str, str]]:
    with (REPO / "catalog" / "products.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def variants(product: dict[str, str]) -> list[tuple[str, str]]:
    """(size, colour) pairs; ("", "") for a product sold in one size."""
    chart = CHART_OF_SKU.get(product["sku"]) or CHART_OF_TYPE.get(product["category"])
    sizes = list(CHARTS[chart][1]) if chart and product["sku"] not in ONE_SIZE else [""]
    colours = COLOURS.get(product["sku"], ("",))
    return [(size, colour) for size in sizes for colour in colours]


def variant_id(sku: str, size: str, colour: str) -> str:
    parts = [sku, size.replace("EU ", "").replace(" ", ""), colour[:3].upper()]
    return "-".join(p for p in parts if p)


def available(product: dict[str, str], size: str) -> bool:
    return product["in_stock"] == "true" and (product["sku"], size) not in SOLD_OUT_SIZES


def slug(product: dict[str, str]) -> str:
    words = "".join(c if c.isalnum() else " " for c in product["name"].lower()).split()
    return "-".join(words)


def gmc_rows() -> list[dict[str, str]]:
    rows = []
    for product in products():
        for size, colour in variants(product):
            title = product["name"] + "".join(f" - {v}" for v in (colour, size) if v)
            details = (
                []
                if product["category"] in MAPPED_SAFETY
                else [("Safety", prop, product[prop]) for prop in SAFETY]
            )
            details.append(("Materials", "care", "hand wash cold"))
            rows.append(
                {
                    "id": variant_id(product["sku"], size, colour),
                    "item_group_id": product["sku"],
                    "title": title,
                    "description": product["description"],
                    "link": f"{SHOP}/products/{slug(product)}",
                    "image_link": f"https://cdn.shop.example/images/{product['sku'].lower()}.jpg",
                    # Before the price on purpose: its nested g:price is not the product's.
                    "shipping": "GB:::3.95 GBP",
                    "availability": "in_stock" if available(product, size) else "out_of_stock",
                    "price": f"{product['price']} GBP",
                    "brand": product["name"].split()[0],
                    "condition": "new",
                    "google_product_category": "Health & Beauty > Health Care",
                    "product_type": TYPES[product["category"]],
                    "size": size,
                    "color": colour,
                    "details": details,
                }
            )
    return rows


def write_tsv(rows: list[dict]) -> None:
    columns = [c for c in rows[0] if c != "details"] + ["product_detail"]
    lines = ["\t".join(columns)]
    for row in rows:
        detail = ",".join(":".join(d) for d in row["details"])
        lines.append("\t".join([*(row[c] for c in columns[:-1]), detail]))
    (OUT / "merchant-center.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_rss(rows: list[dict]) -> None:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">',
        "<channel>",
        "<title>Brace &amp; Insole Shop</title>",
        f"<link>{SHOP}</link>",
        "<description>Supports, braces and insoles</description>",
    ]
    plain = {"title", "link", "description"}
    for row in rows:
        out.append("<item>")
        for key, value in row.items():
            if key == "details":
                for section, name, val in value:
                    out.append(
                        "  <g:product_detail>"
                        f"<g:section_name>{escape(section)}</g:section_name>"
                        f"<g:attribute_name>{escape(name)}</g:attribute_name>"
                        f"<g:attribute_value>{escape(val)}</g:attribute_value>"
                        "</g:product_detail>"
                    )
            elif key == "shipping":
                country, _, _, price = value.split(":")
                out.append(
                    f"  <g:shipping><g:country>{country}</g:country>"
                    f"<g:price>{price}</g:price></g:shipping>"
                )
            elif value:
                tag = key if key in plain else f"g:{key}"
                out.append(f"  <{tag}>{escape(value)}</{tag}>")
        out.append("</item>")
    out += ["</channel>", "</rss>"]
    (OUT / "merchant-center.xml").write_text("\n".join(out) + "\n", encoding="utf-8")


SHOPIFY_COLUMNS = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Variant SKU",
    "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price",
    "Variant Compare At Price", "Variant Requires Shipping", "Variant Taxable", "Image Src",
    "Image Position", "Image Alt Text", "Gift Card",
    "Heat (product.metafields.safety.heat)", "Cold (product.metafields.safety.cold)",
    "Compression (product.metafields.safety.compression)",
    "Magnetic (product.metafields.safety.magnetic)", "Status",
]  # fmt: skip


def write_shopify() -> None:
    rows = []
    draft = {"sku": "XX-999", "name": "Sample Heated Insole (not for sale yet)",
             "category": "orthotic_insole", "price": "30.00", "in_stock": "true",
             "description": "Prototype", "heat": "true", "cold": "false",
             "compression": "false", "magnetic": "false"}  # fmt: skip
    for product in [*products(), draft]:
        handle = slug(product)
        pairs = variants(product)
        image = f"https://cdn.shop.example/images/{product['sku'].lower()}.jpg"
        for number, (size, colour) in enumerate(pairs):
            options = [("Size", size), ("Color", colour)] if colour else [("Size", size)]
            if not size and not colour:
                options = [("Title", "Default Title")]
            elif not size:
                options = [("Color", colour)]
            row = dict.fromkeys(SHOPIFY_COLUMNS, "")
            row.update(
                {
                    "Handle": handle,
                    "Option1 Value": options[0][1],
                    "Option2 Value": options[1][1] if len(options) > 1 else "",
                    "Variant SKU": variant_id(product["sku"], size, colour),
                    "Variant Grams": "250",
                    "Variant Inventory Tracker": "shopify",
                    "Variant Inventory Qty": "12" if available(product, size) else "0",
                    "Variant Inventory Policy": "deny",
                    "Variant Fulfillment Service": "manual",
                    "Variant Price": product["price"],
                    "Variant Requires Shipping": "TRUE",
                    "Variant Taxable": "TRUE",
                }
            )
            if number == 0:
                metafields = (
                    {}
                    if product["category"] in MAPPED_SAFETY
                    else {
                        c: product[c.split(".")[-1][:-1]]
                        for c in SHOPIFY_COLUMNS
                        if "metafields" in c
                    }
                )
                row.update(
                    {
                        "Title": product["name"],
                        "Body (HTML)": f"<p>{escape(product['description'])}.</p>\n<ul><li>Free returns</li></ul>",
                        "Vendor": product["name"].split()[0],
                        "Product Category": "Health & Beauty > Health Care",
                        "Type": TYPES[product["category"]],
                        "Tags": product["category"].replace("_", "-"),
                        "Published": "TRUE" if product is not draft else "FALSE",
                        "Option1 Name": options[0][0],
                        "Option2 Name": options[1][0] if len(options) > 1 else "",
                        "Image Src": image,
                        "Image Position": "1",
                        "Image Alt Text": product["name"],
                        "Gift Card": "FALSE",
                        "Status": "draft" if product is draft else "active",
                        **metafields,
                    }
                )
            rows.append(row)
        if len(pairs) > 2:  # a second photo: Shopify exports it as an image-only row
            extra = dict.fromkeys(SHOPIFY_COLUMNS, "")
            extra.update({"Handle": handle, "Image Src": image.replace(".jpg", "-side.jpg"),
                          "Image Position": "2"})  # fmt: skip
            rows.append(extra)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SHOPIFY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (OUT / "shopify-products.csv").write_text(out.getvalue(), encoding="utf-8")
    write_shopify_current(rows)


# The same export in Shopify's current layout (help.shopify.com, "Using CSV files to import and
# export products"): classic column -> current column. Columns with no current counterpart here
# (the tracker, the fulfillment service) are left out, as a current export leaves them out.
CURRENT_COLUMNS = {
    "Handle": "URL handle", "Title": "Title", "Body (HTML)": "Description", "Vendor": "Vendor",
    "Product Category": "Product category", "Type": "Type", "Tags": "Tags",
    "Published": "Published on online store", "Status": "Status", "Variant SKU": "SKU",
    "Option1 Name": "Option1 name", "Option1 Value": "Option1 value",
    "Option2 Name": "Option2 name", "Option2 Value": "Option2 value", "Variant Price": "Price",
    "Variant Compare At Price": "Compare-at price", "Variant Taxable": "Charge tax",
    "Variant Grams": "Weight value (grams)", "Variant Inventory Qty": "Inventory quantity",
    "Variant Inventory Policy": "Continue selling when out of stock",
    "Variant Requires Shipping": "Requires shipping", "Image Src": "Product image URL",
    "Image Position": "Image position", "Image Alt Text": "Image alt text",
    "Gift Card": "Gift card",
    **{c: c for c in SHOPIFY_COLUMNS if "metafields" in c},
}  # fmt: skip


def write_shopify_current(rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CURRENT_COLUMNS.values()), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        current = {new: row[old] for old, new in CURRENT_COLUMNS.items()}
        policy = current["Continue selling when out of stock"]
        current["Continue selling when out of stock"] = policy and (
            "TRUE" if policy == "continue" else "FALSE"
        )
        writer.writerow(current)
    (OUT / "shopify-products-current.csv").write_text(out.getvalue(), encoding="utf-8")


TAGS = ("support_level", "areas", "fits", "features")


def _toml_value(key: str, value: str) -> str:
    if key == "support_level":
        return f'"{value}"'
    return "[" + ", ".join(f'"{w}"' for w in value.split()) + "]"


def write_mapping() -> None:
    catalog = products()
    lines = [
        "# How the shop's product feed maps onto this catalog: see docs/guides/feed-import.md.",
        "# recommender catalog import-feed FEED --mapping catalog/feed-mapping.toml",
        "schema_version = 1",
        "# The shop's currency: a feed price in any other currency is refused.",
        'currency = "GBP"',
        "# Shopify exports carry no page address; product pages are <shop_url>/products/<handle>.",
        f'shop_url = "{SHOP}"',
        "",
        "# Size charts per product line: size label = [min, max] of the measure, inclusive.",
    ]
    for name, (measure, sizes) in CHARTS.items():
        inner = ", ".join(f'"{label}" = [{lo:g}, {hi:g}]' for label, (lo, hi) in sizes.items())
        lines += [f"[size_charts.{name}]", f'measure = "{measure}"', f"sizes = {{ {inner} }}", ""]
    lines.append("# The feed's product types: our category, the tags most of its products share,")
    lines.append("# and the safety properties where the feed leaves them out.")
    type_tags: dict[str, dict[str, str]] = {}
    for category, product_type in TYPES.items():
        first = next(p for p in catalog if p["category"] == category)
        type_tags[category] = {t: first[t] for t in TAGS}
        lines += [f'[types."{product_type}"]', f'category = "{category}"']
        lines += [f"{t} = {_toml_value(t, first[t])}" for t in TAGS if first[t]]
        if category in CHART_OF_TYPE:
            lines.append(f'size_chart = "{CHART_OF_TYPE[category]}"')
        if category in MAPPED_SAFETY:
            lines += [f"{prop} = false" for prop in SAFETY]
        lines.append("")
    lines.append("# Single products whose tags differ from their type's, or with their own chart.")
    for product in catalog:
        own = {t: product[t] for t in TAGS if product[t] != type_tags[product["category"]][t]}
        entries = [f"{t} = {_toml_value(t, v)}" for t, v in own.items()]
        if product["sku"] in CHART_OF_SKU:
            entries.append(f'size_chart = "{CHART_OF_SKU[product["sku"]]}"')
        if entries:
            lines += [f'[skus."{product["sku"]}"]', *entries, ""]
    (REPO / "catalog" / "feed-mapping.toml").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    rows = gmc_rows()
    write_tsv(rows)
    write_rss(rows)
    write_shopify()
    write_mapping()
    print(f"{len(rows)} Merchant Center items; wrote {OUT} and catalog/feed-mapping.toml")
