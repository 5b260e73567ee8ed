"""Merchandising: tune weights, boosts and stock, preview the effect on saved personas, save.

Layout only. Checking, the what-if and saving live in `recommender.merchandising.weights_store`,
`recommender.merchandising.whatif` and `recommender.merchandising.personas`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import streamlit as st

from recommender.catalog.last_good import CATALOG_NOTICE
from recommender.catalog.weights import BOOST_RANGE, RULE_MULTIPLIER_RANGE
from recommender.errors import CatalogError, InputError
from recommender.escaping import plain, plain_bullets
from recommender.files import version_token
from recommender.merchandising.personas import load_personas
from recommender.merchandising.weights_store import (
    CatalogState,
    Proposal,
    StaleEditError,
    current_state,
    history,
    load_proposal,
    propose,
    rollback,
    rollback_diff,
    save_proposal,
)
from recommender.merchandising.whatif import (
    TABLE_KEYS,
    Cells,
    WhatIf,
    clashes_since,
    compare,
    edited_cells,
    editor_tables,
    weights_data_from_rows,
    with_cells,
)
from recommender.model.ranker import Ranker
from recommender.model.serving import resolve_model
from recommender.settings import Settings
from recommender.shop.auth import MERCHANDISER
from recommender.shopper.engine import Engine, build_engine
from recommender.shopper.rules import load_rule_book
from views import loading
from views.signin import require_signed_in

OPENED = "merch_opened"  # the CatalogState the editors started from (its token guards the save)
GENERATION = "merch_generation"  # bumped to give the editors fresh keys after a save or reload
FLASH = "merch_flash"  # a message that must survive the rerun after a save
ROLLBACK_TO = "merch_rollback_to"
PENDING = "merch_pending"  # one's own unsaved edits, carried over a reload of someone else's save
TABS = {
    "knobs": (
        "Blend, limits, experiment",
        "Edit the value column. The experiment shares send that part of the sessions to "
        "results without boosts, or without the model, so analysts can measure each part, "
        "or to a candidate model interleaved with the served ranking.",
    ),
    "rules": (
        "Rule multipliers",
        f"Multiplier {RULE_MULTIPLIER_RANGE[0]:g} to {RULE_MULTIPLIER_RANGE[1]:g}: "
        "0 switches a rule off, 1 leaves it as written.",
    ),
    "products": (
        "Products: boost and stock",
        f"Boost {BOOST_RANGE[0]:g} to {BOOST_RANGE[1]:g}, counted times the blend's boost "
        "weight; untick in_stock to hold a product back. A boost never brings back a product "
        "that a safety caution, the budget or stock held back.",
    ),
}


def main() -> None:
    who = require_signed_in(MERCHANDISER)
    st.title("Merchandising")
    st.caption(
        f"Signed in as {plain(who)}. Changes are checked, previewed on saved personas, and kept."
    )
    settings = Settings.from_env()
    directory = settings.catalog_dir
    _show_flash()
    _serving_notices(settings)
    notice = st.container()  # filled once the editors have shown what this person changed
    try:
        opened = _opened(directory)
    except CatalogError as error:  # only a file too large to open; nothing here can repair it
        st.error("The files on disk cannot be opened.\n\n" + plain_bullets(error.problems))
        st.stop()
    try:
        current = load_proposal(opened.weights_text, opened.products_text)
    except CatalogError as error:  # a hand edit broke a file: rolling back below repairs it
        st.error(
            "The files on disk have problems; fix them or roll back.\n\n"
            + plain_bullets(error.problems)
        )
        _changed_elsewhere(notice, directory, opened, None, {})
    else:
        proposal, mine = _edited_proposal(opened, current)
        _changed_elsewhere(notice, directory, opened, current, mine)
        if proposal is not None:
            _preview_and_save(settings, opened, current, proposal, who)
    _history(settings, opened, who)


def _serving_notices(settings: Settings) -> None:
    """What shoppers are served while a file on disk is refused (the last good files)."""
    try:
        served = loading.served(settings).notices
    except CatalogError as error:
        st.error("Shoppers see no products:\n\n" + plain_bullets(error.problems))
        return
    for notice in served:
        if notice.startswith(CATALOG_NOTICE):
            st.warning("Shoppers are not affected yet: " + notice.removeprefix(CATALOG_NOTICE))


def _opened(directory: Path) -> CatalogState:
    if OPENED not in st.session_state:
        st.session_state[OPENED] = current_state(directory)
        st.session_state.setdefault(GENERATION, 0)
    return st.session_state[OPENED]


def _reload(keep: dict[str, Cells] | None = None) -> None:
    """Open the files afresh; `keep` carries one's own unsaved edits over onto them."""
    st.session_state.pop(OPENED, None)
    st.session_state.pop(ROLLBACK_TO, None)  # back to its default: the version before the latest
    st.session_state[PENDING] = keep or {}
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def _changed_elsewhere(
    notice, directory: Path, opened: CatalogState, current: Proposal | None, mine: dict
) -> None:
    """Under the title: whether someone saved since this page opened, and how to go on."""
    latest = current_state(directory)
    with notice:
        if latest.token == opened.token:
            if any(st.session_state.get(PENDING, {}).values()):
                st.info(
                    "Your unsaved edits are applied on top of the latest files: check the "
                    "preview below, then save."
                )
            return
        st.warning(
            "Someone saved a change since you opened this page, so a save from here would be "
            "refused. Reload to build on their version; your own edits can come along."
        )
        overlap = [] if current is None else clashes_since(opened, latest, current.catalog, mine)
        if overlap:
            st.warning(
                "You both changed "
                + plain(", ".join(overlap))
                + ". Keeping your edits puts your values in place of theirs."
            )
        if not any(mine.values()):
            st.button("Reload the latest files", on_click=_reload, key="merch_reload_stale")
            return
        keep, drop = st.columns(2)
        keep.button(
            "Reload the latest files, keeping my edits",
            on_click=_reload,
            args=(mine,),
            key="merch_reload_keep",
            type="primary",
        )
        drop.button(
            "Reload the latest files, dropping my edits", on_click=_reload, key="merch_reload_drop"
        )


def _show_flash() -> None:
    if FLASH in st.session_state:
        st.success(plain(st.session_state.pop(FLASH)))


def _edited_proposal(
    opened: CatalogState, current: Proposal
) -> tuple[Proposal | None, dict[str, Cells]]:
    """Draw the three editors. The checked proposal (None, problems shown, when it fails) and
    the cells this person changed, by table."""
    generation = st.session_state[GENERATION]
    pending = st.session_state.get(PENDING, {})
    tables = editor_tables(opened.weights_text, load_rule_book(), current.catalog)
    edited: dict[str, list[dict]] = {}
    tabs = st.tabs([title for title, _ in TABS.values()])
    for tab, (table, (_, caption)) in zip(tabs, TABS.items(), strict=True):
        with tab:
            st.caption(caption)
            rows = with_cells(table, tables[table], pending.get(table, {}))
            edited[table] = _editor(rows, TABLE_KEYS[table][1], f"merch_{table}_{generation}")
    mine = {table: edited_cells(table, tables[table], edited[table]) for table in TABLE_KEYS}
    weights_data, in_stock = weights_data_from_rows(
        edited["knobs"], edited["rules"], edited["products"]
    )
    try:
        return propose(opened, weights_data, in_stock), mine
    except CatalogError as error:
        st.error("Not saved: fix these values first.\n\n" + plain_bullets(error.problems))
        return None, mine


def _editor(rows: list[dict], editable: Iterable[str], key: str) -> list[dict]:
    frame = pd.DataFrame(rows)
    locked = [column for column in frame.columns if column not in editable]
    edited = st.data_editor(frame, disabled=locked, hide_index=True, key=key, width="stretch")
    return edited.to_dict("records")


def _preview_and_save(
    settings: Settings, opened: CatalogState, current: Proposal, proposal: Proposal, who: str
) -> None:
    if (proposal.weights_text, proposal.products_text) == (
        opened.weights_text,
        opened.products_text,
    ):
        st.info("No changes yet: edit a value above to preview its effect.")
        return
    st.subheader("What this change does")
    blockers = _what_if(settings, current, proposal)
    overridden = False
    if blockers:
        st.error("This change breaks saved expectations:\n\n" + plain_bullets(blockers))
        # Keyed by the failures themselves: an override given for one set of broken
        # expectations must not carry over to a later edit that breaks others.
        digest = version_token("\n".join(blockers), length=12)
        overridden = st.checkbox(
            "Save anyway: I have checked these broken expectations", key=f"merch_override_{digest}"
        )
    note = st.text_input("What and why (kept in the audit log)", key="merch_note")
    if st.button("Save", type="primary", disabled=bool(blockers) and not overridden):
        _save(settings, opened, proposal, who, note)


def _what_if(settings: Settings, current: Proposal, proposal: Proposal) -> list[str]:
    """Show the side-by-side preview; return the problems that must be overridden to save."""
    model, _ = resolve_model(settings, None, rules_only=False)
    try:
        personas = load_personas(settings.catalog_dir, proposal.catalog.skus)
    except CatalogError as error:
        return [f"the personas file cannot be read: {p}" for p in error.problems]
    result = compare(_engine(current, model), _engine(proposal, model), personas)
    _render_what_if(result, proposal)
    return [f"{persona}: {failure}" for persona, failure in result.newly_broken]


def _engine(proposal: Proposal, model: Ranker | None) -> Engine:
    return build_engine(proposal.catalog, proposal.weights, model)


def _render_what_if(result: WhatIf, proposal: Proposal) -> None:
    names = dict(
        zip(proposal.catalog.products["sku"], proposal.catalog.products["name"], strict=True)
    )
    changed = result.changed
    st.write(f"{len(changed)} of {len(result.comparisons)} personas see a different top 5.")
    for comparison in changed:
        label = f"{plain(comparison.persona_id)}: {plain(comparison.description)}"
        with st.expander(label, expanded=True):
            st.dataframe(pd.DataFrame(comparison.side_by_side(names)), hide_index=True)
            st.markdown(plain_bullets(move.describe() for move in comparison.moves))
    unchanged = [c.persona_id for c in result.comparisons if not c.changed]
    if unchanged:
        st.caption("Unchanged: " + plain(", ".join(unchanged)))


def _save(
    settings: Settings, opened: CatalogState, proposal: Proposal, who: str, note: str
) -> None:
    try:
        entry = save_proposal(
            settings.catalog_dir, proposal, base_token=opened.token, who=who, note=note
        )
    except StaleEditError as error:
        st.error(f"{plain(error)} Your edits are still on this page.")
        return
    except InputError as error:
        st.error(f"Not saved: {plain(error)}")
        return
    st.session_state[FLASH] = f"Saved as version {entry.version}."
    _reload()
    st.rerun()


def _history(settings: Settings, opened: CatalogState, who: str) -> None:
    entries = history(settings.catalog_dir)
    st.subheader("Saved versions")
    if not entries:
        st.caption("No saved versions yet; the first save also keeps the files as they were.")
        return
    rows = [
        {"version": e.version, "when": e.at, "who": e.who, "what": e.action, "note": e.note}
        for e in reversed(entries)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    versions = [e.version for e in reversed(entries)]
    # Default to the version before the latest: the usual "undo my last save".
    target = st.selectbox(
        "Roll back to version",
        versions,
        index=min(1, len(versions) - 1),
        # A new key for each newest version: after a save or rollback the browser shows a fresh
        # dropdown at its default, so its value, the button's label and the action agree.
        key=f"{ROLLBACK_TO}_{versions[0]}",
    )
    with st.expander(f"What rolling back to version {target} changes now"):
        st.code(
            rollback_diff(settings.catalog_dir, target) or "(the files match it already)", "diff"
        )
    with st.expander(f"Changes saved in version {target}"):
        st.code(next(e.diff for e in entries if e.version == target) or "(no diff)", "diff")
    if st.button(f"Roll back to version {target}", key="merch_rollback"):
        try:
            entry = rollback(settings.catalog_dir, who=who, to=target, base_token=opened.token)
        except InputError as error:  # also StaleEditError: someone saved meanwhile
            st.error(f"Not rolled back: {plain(error)}")
            return
        st.session_state[FLASH] = f"Restored version {target} as version {entry.version}."
        _reload()
        st.rerun()


main()
