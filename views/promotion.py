"""Analytics: promoting a model, with a clear mark and an explicit confirmation when it was
trained on simulated data. Layout only: the rule itself is `training.pipeline.promote_model`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender.errors import RecommenderError
from recommender.escaping import plain
from recommender.model import registry
from recommender.settings import Settings
from training.pipeline import promote_model

SIMULATED_MARK = "Trained on simulated data"
# Said after the rerun, under the newly served model (views/analyst.py shows it).
PROMOTED = "analyst_promoted"


def promote_section(settings: Settings, comparison: pd.DataFrame) -> None:
    """The promote form for the models in `comparison` (nothing when there are none)."""
    if comparison.empty:
        return
    cards = {card.model_id: card for card in registry.list_models(settings.models_dir)}
    model_ids = sorted(comparison["model"].unique())
    simulated = [m for m in model_ids if m in cards and cards[m].synthetic_sessions]
    if simulated:
        st.caption(plain(f"{SIMULATED_MARK}: {', '.join(simulated)}"))
    model_id = st.selectbox("Model to promote", model_ids, key="promote_model_id")
    card = cards.get(model_id)
    synthetic = card.synthetic_sessions if card is not None else 0
    if card is not None and synthetic:
        trained_on = card.data.get("data", {}).get("train_sessions", synthetic)
        st.warning(
            f"**{SIMULATED_MARK}.** {synthetic:,} of the {trained_on:,} sessions this model "
            "learned from were made by the simulator, not by real shoppers. What it learned "
            "says nothing about real shoppers; serve it only for a demo. Every page it serves "
            "carries a notice.",
            icon="🧪",
        )
    with st.form("promote"):
        force = st.checkbox("Promote even if not shown better (force)")
        confirmed = synthetic and st.checkbox(
            "I confirm: serve this model although it was trained on simulated data"
        )
        if st.form_submit_button("Promote"):
            if synthetic and not confirmed:
                st.error(
                    plain(
                        f"Not promoted: {model_id} was trained on simulated data. Tick the "
                        "confirmation to serve it anyway."
                    )
                )
                return
            try:
                message = promote_model(
                    settings, model_id, force=force, allow_synthetic=bool(confirmed)
                )
            except RecommenderError as error:
                st.error(plain(error))
            else:
                st.session_state[PROMOTED] = message
                st.rerun()  # so "Serving:" above names the model just promoted
