"""The hand-off to the shop's own cart: `RECOMMENDER_CART_URL`, a template such as
`https://shop.example/cart/add?sku={sku}`.

With the setting, a card's "Add to cart" is a link to that address with the product's SKU put
in (URL-quoted, so a SKU can never add a parameter or a path of its own). Without it, the
finder cannot reach a cart and its button says so. The template is checked when settings are
read, so a typo is named at start-up instead of sending shoppers to a broken page.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from recommender.errors import InputError

CART_SETTING = "RECOMMENDER_CART_URL"
SKU_FIELD = "{sku}"
MAX_TEMPLATE_CHARS = 1000
_EXAMPLE = "e.g. https://shop.example/cart/add?sku={sku}"


def cart_setting(raw: str | None) -> str | None:
    """The checked template (None when the setting is empty); `InputError` names the setting."""
    template = (raw or "").strip()
    if not template:
        return None
    shown = template[:80]
    if len(template) > MAX_TEMPLATE_CHARS:
        problem = f"is {len(template):,} characters long; at most {MAX_TEMPLATE_CHARS}"
    elif SKU_FIELD not in template:
        problem = f"'{shown}' has no {SKU_FIELD} where the product's SKU goes"
    elif "{" in template.replace(SKU_FIELD, "") or "}" in template.replace(SKU_FIELD, ""):
        problem = f"'{shown}' may hold only {SKU_FIELD} in braces"
    else:
        parts = urlsplit(template.replace(SKU_FIELD, "SKU"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problem = f"'{shown}' must be an http:// or https:// address"
        else:
            return template
    raise InputError(f"setting {CART_SETTING}: {problem} ({_EXAMPLE})")


def cart_link(template: str, sku: str) -> str:
    """The shop's cart address for one product."""
    return template.replace(SKU_FIELD, quote(sku, safe=""))
