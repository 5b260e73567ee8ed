"""One product card on the results page, the compare tray, and the side-by-side view.

A card is short on a phone: picture, name, price, size and the one reason that sets it apart,
a caution marker when there is a caution, and the shop's links. Everything else (more reasons,
the cautions in full, why this order, feedback) waits under "More about this product", and is
only built when the shopper opens it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from recommender.escaping import plain
from recommender.shop import cards, shopping
from recommender.shopper.answers import Answers
from recommender.shopper.result import Item, Reason
from views import loading, style
from views.state import Finder

COMPARE_KEY = "compare_{sku}"
DETAILS_KEY = "details_{sku}"
CARD_HEADING = "## "
_FEEDBACK_BUTTONS = (
    ("helpful", "Helpful", ":material/thumb_up:", "Thanks for telling us"),
    ("not_helpful", "Not helpful", ":material/thumb_down:", "Thanks, noted"),
)
# Without RECOMMENDER_CART_URL the finder cannot reach a cart: the button says what it does.
NO_CART = ("add_to_cart", "I'd buy this", "Noted: you'd buy this")
PICTURE_WIDTH = 96  # px: beside the name even on a phone, so a card stays short
COMPARE_PICTURE_WIDTH = 88
Record = Callable[[Finder, Item, str], None]


def _reasons(reasons: Sequence[Reason]) -> str:
    # One Markdown list per block, not one element per reason: fewer elements for the
    # browser to lay out before the first product shows.
    return "\n".join(
        f"- {plain(reason.text)}  \n  _Article section: {plain(reason.section)}_"
        for reason in reasons
    )


def picked_for_comparison(items: Sequence[Item]) -> list[Item]:
    """The items whose Compare box is ticked."""
    return [item for item in items if st.session_state.get(COMPARE_KEY.format(sku=item.sku))]


def product_card(state: Finder, item: Item, record: Record) -> None:
    """The card: picture, name, price, size, the reason that sets it apart, a caution marker,
    the shop's links and a compare box; the rest folded away.

    `record(state, item, event)` logs what the shopper did with the card.
    """
    current = loading.settings()
    engine = loading.engine(current)
    shown = state.shown
    assert shown is not None  # a card is only drawn for a result being shown
    view = cards.card(
        engine, item, shown.answers, current.catalog_dir, current.money, current.cart_url
    )
    with st.container(border=True, key=f"{style.CARD_KEY_PREFIX}{item.sku}"):
        with st.container(horizontal=True, wrap=False, gap="small"):
            st.html(loading.picture_tag(view.picture, PICTURE_WIDTH, view.picture_alt))
            # One element for the name (level 2 under the page's title, as headings may not
            # skip a level; style.py keeps it at a card's size), the facts, the reason that
            # sets it apart and the caution marker: fewer boxes for a phone to lay out.
            facts = [plain(view.kind), f"**{plain(view.price)}**"]
            if view.size:
                facts.append(f"**{plain(view.size)}**")
            lines = [f"{CARD_HEADING}{item.rank}. {plain(item.name)}", " · ".join(facts)]
            if view.size_note and not view.size:  # which sizes, and the measurement to give
                lines.append(f":small[{plain(view.size_note)}]")
            first = item.reasons[0]
            lines.append(f"{plain(first.text)}  \n_Article section: {plain(first.section)}_")
            if item.cautions:
                # Safety stays in sight when the rest is folded: a marker on the card itself.
                lines.append(caution_marker(len(item.cautions)))
            st.markdown("\n\n".join(lines))
        _actions(state, item, view, record)
        _details(state, item, view, record)


def caution_marker(count: int) -> str:
    """The card's badge saying how many cautions apply to the shopper, and where to read them."""
    plural = "s" if count > 1 else ""
    return (
        f":orange-badge[:material/warning: {count} caution{plural} for you: "
        "read under More about this product]"
    )


def _actions(state: Finder, item: Item, view: cards.Card, record: Record) -> None:
    shown = state.shown
    assert shown is not None
    with st.container(horizontal=True, gap="small"):
        if view.shop_url:
            # No icons on the card's buttons: their words say it, in fewer elements to draw.
            st.link_button("View in shop", view.shop_url)
        sent = (item.sku, "add_to_cart") in state.sent
        if view.cart_url:
            # The shop's own cart; the hand-off is still logged as an add-to-cart.
            st.link_button(
                "Add to cart",
                view.cart_url,
                type="primary",
                on_click=_record_once,
                args=(state, item, "add_to_cart", record),
                key=f"add_to_cart_{item.sku}",
            )
        else:
            event, label, done = NO_CART
            if st.button(done if sent else label, disabled=sent, key=f"{event}_{item.sku}"):
                record(state, item, event)
                st.rerun()
        picked = picked_for_comparison(shown.result.items)
        st.checkbox(
            "Compare",
            key=COMPARE_KEY.format(sku=item.sku),
            disabled=len(picked) >= cards.MAX_COMPARED and item not in picked,
        )


def _record_once(state: Finder, item: Item, event: str, record: Record) -> None:
    if (item.sku, event) not in state.sent:
        record(state, item, event)


def _opened(state: Finder, item: Item, record: Record) -> None:
    if st.session_state.get(DETAILS_KEY.format(sku=item.sku)):
        _record_once(state, item, "click", record)


def _details(state: Finder, item: Item, view: cards.Card, record: Record) -> None:
    details = st.expander(
        "More about this product",
        key=DETAILS_KEY.format(sku=item.sku),
        on_change=_opened,
        args=(state, item, record),
    )
    with details:
        if not details.open:
            return  # built only when opened: a short page for the phone to lay out
        for caution in item.cautions:
            st.warning(plain(caution), icon=":material/warning:")
        if view.size_note and view.size:
            st.caption(plain(view.size_note))
        _, *more = item.reasons
        if more:
            st.markdown("**More reasons**\n\n" + _reasons(more))
        engine = loading.engine(loading.settings())
        description = shopping.product_description(engine, item.sku)
        if description:
            st.markdown(plain(description))
        lines = shopping.score_lines(item)
        st.markdown(
            "**Why this order**\n\n"
            + "\n\n".join(f"{line.label}: **{line.value:.2f}**, {line.meaning}" for line in lines)
        )
        assert state.shown is not None  # a card is only drawn for a result being shown
        st.caption(shopping.order_note(state.shown, item))
        with st.container(horizontal=True):
            for event, label, icon, done in _FEEDBACK_BUTTONS:
                sent = (item.sku, event) in state.sent
                if st.button(
                    done if sent else label, icon=icon, disabled=sent, key=f"{event}_{item.sku}"
                ):
                    record(state, item, event)
                    st.rerun()


def compare_tray(items: Sequence[Item], answers: Answers) -> None:
    """Once a product is ticked: a tray that stays at the foot of the screen, opening the
    side-by-side view when two or three are ticked."""
    picked = picked_for_comparison(items)
    if not picked:
        return
    with st.container(key=style.COMPARE_TRAY_KEY, horizontal=True, vertical_alignment="center"):
        if len(picked) < 2:
            st.caption("Tick one or two more products to compare them side by side.")
            return
        if st.button(
            f"Compare {len(picked)} side by side",
            icon=":material/compare_arrows:",
            type="primary",
            key="open_compare",
        ):
            _side_by_side(picked, answers)


@st.dialog("Side by side", width="large")
def _side_by_side(picked: Sequence[Item], answers: Answers) -> None:
    current = loading.settings()
    engine = loading.engine(current)
    table = cards.comparison(engine, picked, answers, current.money)
    with st.container(key=style.SIDE_BY_SIDE_KEY):
        columns = st.columns(len(picked), gap="small")
        for column, item in zip(columns, picked, strict=True):
            view = cards.card(engine, item, answers, current.catalog_dir, current.money)
            with column:
                st.html(loading.picture_tag(view.picture, COMPARE_PICTURE_WIDTH, view.picture_alt))
                st.markdown(f"**{item.rank}. {plain(item.name)}**")
        # One short row per thing to weigh up, the products side by side in it.
        for label, cells in table.iterrows():
            st.caption(plain(label))
            for column, cell in zip(st.columns(len(picked), gap="small"), cells, strict=True):
                column.markdown(plain(cell))
