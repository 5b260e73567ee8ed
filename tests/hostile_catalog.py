"""A copy of the bundled catalog whose every product name and description carries markup.

The reviewer's payloads: a Markdown link, a Markdown image and an HTML image on hosts that are
not this machine, a script tag, and bare addresses that GitHub-flavoured Markdown would link.
Every product keeps its real name first, so each stays unique and easy to find on the page.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

# TEST-NET addresses (RFC 5737) and a reserved domain: nothing real answers there.
OFF_SITE = ("evil.example", "198.51.100.7", "203.0.113.9")
HOSTILE = (
    "[50% off](http://evil.example/deal)",
    "![pixel](http://198.51.100.7/pixel.png)",
    '<img src="http://203.0.113.9/tracker.png">',
    "<script>document.title='owned'</script>",
    "see http://evil.example/bare or www.evil.example",
)
HOSTILE_PERSONA = "![persona](http://198.51.100.7/persona.png)"


def hostile_catalog(source: Path, folder: Path) -> Path:
    """Copy `source` to `folder`, with hostile names, descriptions and persona labels.

    Every third product is out of stock, so the held-back list shows hostile names too.
    """
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns(".history"))
    products = folder / "products.csv"
    with products.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        columns, rows = reader.fieldnames, list(reader)
    for number, row in enumerate(rows):
        payload = HOSTILE[number % len(HOSTILE)]
        row["name"] = f"{row['name']} {payload}"
        row["description"] = f"{payload} {row.get('description', '')}"
        if number % 3 == 2:
            row["in_stock"] = "false"
    with products.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    personas = folder / "personas.jsonl"
    hostile_personas = []
    for line in personas.read_text(encoding="utf-8").splitlines():
        persona = json.loads(line)
        persona["description"] = f"{persona['description']} {HOSTILE_PERSONA}"
        hostile_personas.append(json.dumps(persona))
    personas.write_text("\n".join(hostile_personas) + "\n", encoding="utf-8")
    return folder
