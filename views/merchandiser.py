"""Merchandising: tune weights, boosts and stock, preview the effect on saved personas, save.

Layout only: each action (open, preview, save, roll back) is one call to
`recommender.merchandising.service`; this page keeps only what a person typed between reruns.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from recommender.catalog.weights import BOOST_RANGE, RULE_MULTIPLIER_RANGE
from recommender.errors import CatalogError
from recommender.escaping import plain, plain_bullets
from recommender.merchandising import service, wording
from recommender.merchandising.service import Preview, Workspace
from recommender.settings import Settings
from recommender.shop.auth import MERCHANDISER
from views import loading
from views.signin import require_signed_in

OPENED = "merch_opened"  # the Workspace the editors started from (its token guards the save)
GENERATION = "merch_generation"  # bumped to give the editors fresh keys after a save or reload
FLASH = "merch_flash"  # a message that must survive the rerun after a save
ROLLBACK_TO = "merch_rollback_to"
PENDING = "merch_pending"  # one's own unsaved edits, carried over a reload of someone else's save
KEPT = "merch_kept"  # product edits typed before a new search redrew the grid
SEARCH = "merch_search"
SHOWN = "merch_shown"  # the product rows the grid showed on the last run
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
    """The Merchandising page."""
    who = require_signed_in(MERCHANDISER)
    st.title("Merchandising")
    st.caption(
        f"Signed in as {plain(who)}. Changes are checked, previewed on saved personas, and kept."
    )
    settings = Settings.from_env()
    _show_flash()
    _serving_notices(settings)
    notice = st.container()  # filled once the editors have shown what this person changed
    try:
        workspace = _opened(settings)
    except CatalogError as error:  # only a file too large to open; nothing here can repair it
        st.error("The files on disk cannot be opened.\n\n" + plain_bullets(error.problems))
        st.stop()
    if workspace.current is None:  # a hand edit broke a file: rolling back below repairs it
        st.error(
            "The files on disk have problems; fix them or roll back.\n\n"
            + plain_bullets(workspace.problems)
        )
        _changed_elsewhere(notice, service.preview(settings, workspace, {}))
    else:
        preview = service.preview(settings, workspace, _editors(workspace))
        _changed_elsewhere(notice, preview)
        _preview_and_save(settings, workspace, preview, who)
    _history(settings, workspace, who)


def _serving_notices(settings: Settings) -> None:
    """What shoppers are served while a file on disk is refused (the last good files)."""
    try:
        served = loading.served(settings).notices
    except CatalogError as error:
        st.error("Shoppers see no products:\n\n" + plain_bullets(error.problems))
        return
    for notice in service.shopper_notices(served):
        st.warning("Shoppers are not affected yet: " + notice)


def _opened(settings: Settings) -> Workspace:
    if OPENED not in st.session_state:
        st.session_state[OPENED] = service.open_files(settings.catalog_dir)
        st.session_state.setdefault(GENERATION, 0)
    return st.session_state[OPENED]


def _reload(keep: dict | None = None) -> None:
    """Open the files afresh; `keep` carries one's own unsaved edits over onto them."""
    st.session_state.pop(OPENED, None)
    st.session_state.pop(KEPT, None)
    st.session_state.pop(ROLLBACK_TO, None)  # back to its default: the version before the latest
    st.session_state[PENDING] = keep or {}
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def _changed_elsewhere(notice, preview: Preview) -> None:
    """Under the title: whether someone saved since this page opened, and how to go on."""
    mine = preview.mine
    with notice:
        if not preview.stale:
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
        if preview.clashes:
            st.warning(
                "You both changed "
                + plain(", ".join(preview.clashes))
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


def _editors(workspace: Workspace) -> dict[str, list[dict]]:
    """Draw the three editors, one's own pending edits applied; their rows as edited."""
    generation = st.session_state[GENERATION]
    tables = workspace.editor_rows(_pending())
    edited: dict[str, list[dict]] = {}
    tabs = st.tabs([title for title, _ in TABS.values()])
    for tab, (table, (_, caption)) in zip(tabs, TABS.items(), strict=True):
        with tab:
            st.caption(caption)
            key = f"merch_{table}_{generation}"
            if table == "products":
                edited[table] = _products(workspace, tables[table], key)
            else:
                rows = wording.with_words(table, tables[table])
                edited[table] = _editor(rows, service.EDITABLE[table], key)
    return edited


# Column labels in words, each with its file key (what the audit log and weights.toml say) in
# the tooltip; st.column_config renames a column on the page without renaming the data.
_COLUMNS = {
    "section": ("file section", "The [section] of weights.toml this setting lives in."),
    "key": ("file key", "The key of this setting in weights.toml."),
    "rule": ("rule id", "The rule's id in rules.toml and in weights.toml [rule_multipliers]."),
    "sku": ("SKU", "The product's id in products.csv and weights.toml [boosts]."),
    "category": ("category", "The catalog category, in words; its id is in products.csv."),
    "in_stock": ("in stock", "Untick to hold the product back from every shopper."),
    "picture": ("picture", "The product's picture from the catalog."),
}


def _editor(
    rows: list[dict], editable: Iterable[str], key: str, extra: dict | None = None
) -> list[dict]:
    frame = pd.DataFrame(rows)
    locked = [column for column in frame.columns if column not in editable]
    config = {
        column: st.column_config.Column(label, help=help_text)
        for column, (label, help_text) in _COLUMNS.items()
        if column in frame.columns
    }
    edited = st.data_editor(
        frame,
        disabled=locked,
        hide_index=True,
        key=key,
        width="stretch",
        column_config={**config, **(extra or {})},
    )
    return edited.to_dict("records")


def _products(workspace: Workspace, rows: list[dict], key: str) -> list[dict]:
    """The product grid: searchable, with pictures. Edits made before a search are kept."""
    query = st.text_input(
        "Search products",
        placeholder="SKU, name or category",
        key=f"{SEARCH}_{st.session_state[GENERATION]}",
        on_change=_keep_product_edits,
        args=(key,),
    )
    shown = wording.matching(rows, query)
    st.session_state[SHOWN] = shown
    if not shown:
        st.info("No product matches that search.")
        return rows
    pictures = _pictures(workspace)
    table = [
        {"picture": pictures.get(row["sku"]), **row}
        for row in wording.with_words("products", shown)
    ]
    picture_column = {"picture": st.column_config.ImageColumn("picture", width="small")}
    grid_key = f"{key}_{query}" if query else key  # the unsearched grid keeps its plain key
    edited = _editor(table, service.EDITABLE["products"], grid_key, picture_column)
    return service.with_edits("products", rows, shown, edited)


def _keep_product_edits(key: str) -> None:
    """Before a new search redraws the grid, carry what was typed into it over as pending."""
    # The grid that was on screen belonged to the search before this change.
    before = st.session_state.get(SHOWN, [])
    grids = [k for k in st.session_state if k == key or str(k).startswith(f"{key}_")]
    for grid_key in grids:
        cells = service.editor_cells("products", before, st.session_state[grid_key])
        if cells:
            pending = st.session_state.setdefault(KEPT, {})
            for row, columns in cells.items():
                pending[row] = {**pending.get(row, {}), **columns}
        del st.session_state[grid_key]


def _pending() -> dict:
    """One's own unsaved edits: those carried over a reload, and those kept across searches."""
    pending = dict(st.session_state.get(PENDING, {}))
    kept = st.session_state.get(KEPT, {})
    if kept:
        products = dict(pending.get("products", {}))
        for row, columns in kept.items():
            products[row] = {**products.get(row, {}), **columns}
        pending["products"] = products
    return pending


def _pictures(workspace: Workspace) -> dict[str, str]:
    """SKU to a small picture the grid can show (an address, or the file as a data URI)."""
    if workspace.current is None:
        return {}
    settings = Settings.from_env()
    products = workspace.current.catalog.products
    return {
        str(sku): loading.picture_cell(settings.catalog_dir, str(image or ""))
        for sku, image in zip(
            products["sku"], products.get("image", [""] * len(products)), strict=True
        )
    }


def _preview_and_save(settings: Settings, workspace: Workspace, preview: Preview, who: str) -> None:
    if preview.proposal is None:
        st.error("Not saved: fix these values first.\n\n" + plain_bullets(preview.problems))
        return
    if not preview.changed:
        st.info("No changes yet: edit a value above to preview its effect.")
        return
    st.header("What this change does", anchor=False)
    note = wording.model_weight_note(preview.mine.get("knobs", {}), loading.served_model(settings))
    if note:
        st.info(note)
    _render_what_if(preview)
    blockers = preview.blockers
    overridden = False
    if blockers:
        st.error("This change breaks saved expectations:\n\n" + plain_bullets(blockers))
        overridden = st.checkbox(
            "Save anyway: I have checked these broken expectations",
            key=f"merch_override_{preview.override_key}",
        )
    note = st.text_input("What and why (kept in the audit log)", key="merch_note")
    if st.button("Save", type="primary", disabled=bool(blockers) and not overridden):
        outcome = service.save(
            settings.catalog_dir, workspace, preview.proposal, who=who, note=note
        )
        _after(outcome)


def _render_what_if(preview: Preview) -> None:
    result = preview.what_if
    if result is None:  # the personas file cannot be read: the blockers say why
        return
    changed = result.changed
    st.write(f"{len(changed)} of {len(result.comparisons)} personas see a different top 5.")
    for comparison in changed:
        label = f"{plain(comparison.persona_id)}: {plain(comparison.description)}"
        with st.expander(label, expanded=True):
            st.dataframe(pd.DataFrame(comparison.side_by_side(preview.names)), hide_index=True)
            st.markdown(plain_bullets(move.describe() for move in comparison.moves))
    unchanged = [c.persona_id for c in result.comparisons if not c.changed]
    if unchanged:
        st.caption("Unchanged: " + plain(", ".join(unchanged)))


def _after(outcome: service.Outcome) -> None:
    """A refusal is shown here; a done save or rollback is said after a reload of the files."""
    if not outcome.done:
        st.error(plain(outcome.message))
        return
    st.session_state[FLASH] = outcome.message
    _reload()
    st.rerun()


def _history(settings: Settings, workspace: Workspace, who: str) -> None:
    saved = service.versions(settings.catalog_dir)
    st.header("Saved versions", anchor=False)
    if not saved.entries:
        st.caption("No saved versions yet; the first save also keeps the files as they were.")
        return
    st.dataframe(pd.DataFrame(saved.rows), hide_index=True)
    versions = saved.numbers
    target = st.selectbox(
        "Roll back to version",
        versions,
        index=saved.default_index,
        # A new key for each newest version: after a save or rollback the browser shows a fresh
        # dropdown at its default, so its value, the button's label and the action agree.
        key=f"{ROLLBACK_TO}_{versions[0]}",
    )
    with st.expander(f"What rolling back to version {target} changes now"):
        rows, raw_diff = wording.rollback_changes(settings.catalog_dir, target)
        if rows:
            st.dataframe(pd.DataFrame(rows).astype(str), hide_index=True, width="stretch")
        elif raw_diff:  # a version whose files do not load: the files' own lines, as they are
            st.code(raw_diff, "diff")
        else:
            st.caption("The files match that version already.")
    with st.expander(f"Changes saved in version {target}"):
        st.code(saved.saved_diff(target) or "(no diff)", "diff")
    if st.button(f"Roll back to version {target}", key="merch_rollback"):
        _after(service.rollback(settings.catalog_dir, workspace, who=who, to=target))


main()
