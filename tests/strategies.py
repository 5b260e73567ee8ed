"""Hypothesis strategies: any answers object the schema of SPEC section 1 accepts."""

from __future__ import annotations

from hypothesis import strategies as st

from recommender.shopper.answers import CHOICES, LIST_CHOICES, MEASUREMENT_RANGES, NUMBER_RANGES


def _number(name: str) -> st.SearchStrategy[float]:
    low, high, _ = NUMBER_RANGES[name]
    if name == "budget_max":
        return st.floats(min_value=1.0, max_value=500.0, allow_nan=False)
    return st.floats(min_value=low, max_value=high, allow_nan=False)


def measurements() -> st.SearchStrategy[dict]:
    """Any subset of the body measurements, each within its range."""
    return st.fixed_dictionaries(
        {},
        optional={
            name: st.floats(min_value=low, max_value=high, allow_nan=False)
            for name, (low, high) in MEASUREMENT_RANGES.items()
        },
    )


def raw_answers(red_flags: bool = True) -> st.SearchStrategy[dict]:
    """A raw answers dict with any subset of fields answered (the new fields included)."""
    fields: dict[str, st.SearchStrategy] = {}
    fields.update({name: st.sampled_from(values) for name, values in CHOICES.items()})
    for name, values in LIST_CHOICES.items():
        if name == "red_flags" and not red_flags:
            continue
        fields[name] = st.lists(st.sampled_from(values), unique=True, max_size=len(values))
    fields.update({name: _number(name) for name in NUMBER_RANGES})
    fields["measurements"] = measurements()
    return st.fixed_dictionaries({}, optional=fields)


# What revision 3's rules turn on, drawn for every shopper so the rare combinations (a fall with
# hip pain at 65, diabetes with numb feet) come up in a modest number of examples.
_REVISION_3_PARTS = {
    "age_band": st.sampled_from(CHOICES["age_band"]),  # the old 50_64 and the new bands alike
    "pain_areas": st.lists(
        st.sampled_from(["hip", "upper_thigh", "knee", "foot", "lower_back", "back_of_leg"]),
        unique=True,
        min_size=1,
    ),
    "risk_factors": st.lists(st.sampled_from(LIST_CHOICES["risk_factors"]), unique=True),
    "conditions": st.lists(
        st.sampled_from(["diabetes", "poor_circulation", "pregnancy", "osteoarthritis"]),
        unique=True,
    ),
    "symptoms": st.lists(
        st.sampled_from(["numb_feet", "numbness_one_leg", "knee_gives_way", "muscle_spasms"]),
        unique=True,
    ),
}


def clinical_answers(red_flags: bool = False) -> st.SearchStrategy[dict]:
    """Any answers (the whole schema) with revision 3's triggers drawn for every shopper."""
    return st.tuples(raw_answers(red_flags), st.fixed_dictionaries(_REVISION_3_PARTS)).map(
        lambda parts: {**parts[0], **parts[1]}
    )
