"""One product card on the results page, and the side-by-side comparison of picked cards."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from recommender.escaping import plain
from recommender.shop import cards, shopping
from recommender.shopper.result import Item, Reason
from views import loading, style
from views.state import Finder

COMPARE_KEY = "compare_{sku}"
CARD_HEADING = "## "
_FEEDBACK_BUTTONS = (
    ("helpful", "Helpful", ":material/thumb_up:", "Thanks for telling us"),
    ("not_helpful", "Not helpful", ":material/thumb_down:", "Thanks, noted"),
    ("add_to_cart", "Add to cart", ":material/add_shopping_cart:", "Added to cart"),
)
PICTURE_WIDTH = 160  # px: small enough that a phone still sees the product's name at once


def _reasons(reasons: Sequence[Reason]) -> None:
    # One Markdown list per block, not one element per reason: fewer elements for the
    # browser to lay out before the first product shows.
    st.markdown(
        "\n".join(
            f"- {plain(reason.text)}  \n  _Article section: {plain(reason.section)}_"
            for reason in reasons
        )
    )


def picked_for_comparison(items: Sequence[Item]) -> list[Item]:
    """The items whose Compare box is ticked."""
    return [item for item in items if st.session_state.get(COMPARE_KEY.format(sku=item.sku))]


def product_card(state: Finder, item: Item, record: Callable[[Finder, Item, str], None]) -> None:
    """The card: picture, name, kind and price, size, reasons, cautions, shop link, actions.

    `record(state, item, event)` logs what the shopper did with the card.
    """
    current = loading.settings()
    engine = loading.engine(current)
    shown = state.shown
    assert shown is not None  # a card is only drawn for a result being shown
    shown_items = shown.result.items
    view = cards.card(engine, item, shown.answers, current.catalog_dir, current.money)
    with st.container(border=True, key=f"{style.CARD_KEY_PREFIX}{item.sku}"):
        picture, words = st.columns([1, 3], gap="small")
        with picture:
            shrunk = loading.card_picture(view.picture, PICTURE_WIDTH)
            st.image(shrunk, width=PICTURE_WIDTH, alt=view.picture_alt)
        with words:
            # Level 2 under the page's title, as headings may not skip a level; style.py keeps
            # it at the size of a card's name.
            st.markdown(f"{CARD_HEADING}{item.rank}. {plain(item.name)}")
            st.markdown(f"{plain(view.kind)} · **{plain(view.price)}**")
            if view.size:
                st.markdown(f"**{plain(view.size)}**")
            if view.size_note:
                st.caption(plain(view.size_note))
        first, *more = item.reasons
        _reasons([first])
        if more:
            # One reason up front keeps cards short on a phone; the rest are a tap away.
            with st.expander(f"More reasons ({len(more)})"):
                _reasons(more)
        for caution in item.cautions:
            st.warning(plain(caution), icon=":material/info:")
        with st.container(horizontal=True):
            if view.shop_url:
                st.link_button("View in shop", view.shop_url, icon=":material/storefront:")
            picked = picked_for_comparison(shown_items)
            key = COMPARE_KEY.format(sku=item.sku)
            st.checkbox(
                "Compare",
                key=key,
                disabled=len(picked) >= cards.MAX_COMPARED and item not in picked,
                help=f"Tick two or three products to see them side by side "
                f"(up to {cards.MAX_COMPARED}).",
            )
        if st.toggle("More about this product", key=f"more_{item.sku}"):
            st.markdown(plain(shopping.product_description(engine, item.sku)))
            if (item.sku, "click") not in state.sent:
                record(state, item, "click")
        with st.expander("Why this order"):
            lines = shopping.score_lines(item)
            st.markdown(
                "\n\n".join(f"**{line.label}: {line.value:.2f}**, {line.meaning}" for line in lines)
            )
            st.caption(shopping.order_note(shown, item))
        with st.container(horizontal=True):
            for event, label, icon, done in _FEEDBACK_BUTTONS:
                sent = (item.sku, event) in state.sent
                if st.button(
                    done if sent else label, icon=icon, disabled=sent, key=f"{event}_{item.sku}"
                ):
                    record(state, item, event)
                    st.rerun()


def comparison(items: Sequence[Item], answers) -> None:
    """Two or three ticked products side by side, or a hint on how to pick them."""
    picked = picked_for_comparison(items)
    if len(picked) < 2:
        if picked:
            st.caption("Tick one or two more products to compare them side by side.")
        return
    current = loading.settings()
    table = cards.comparison(loading.engine(current), picked, answers, current.money)
    st.subheader("Side by side")
    # st.table reads every cell, row label and column header as Markdown, so catalog text in
    # them is escaped like any other (a product name could otherwise be a link or a picture).
    shown = table.map(plain).rename(index=plain, columns=plain)
    st.table(shown)
