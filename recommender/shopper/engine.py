"""The pipeline: validated answers -> features -> safety screen -> scores -> ranked, explained items.

`Engine` is built once per catalog and weights version (the app caches it) and then answers
each shopper with `recommend`, scoring the whole catalog with matrix operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from recommender.catalog.money import PLAIN, Money
from recommender.catalog.products import Catalog, load_catalog
from recommender.catalog.sizes import NoSizeFits, SizeChart, SizeFit
from recommender.catalog.weights import Weights, load_weights
from recommender.model.ranker import Pairs, Ranker
from recommender.shopper.advice import AdviceBook, load_advice_book
from recommender.shopper.answers import Answers
from recommender.shopper.contrast import card_facts, first_reasons
from recommender.shopper.features import answer_features
from recommender.shopper.guidance import HELD_BACK as NG59_HELD_BACK
from recommender.shopper.guidance import NG59_CATEGORIES, back_pain_only, keep_out_of_top
from recommender.shopper.result import RULES_ONLY, Excluded, Item, Reason, Result, ScoreParts
from recommender.shopper.rules import RuleBook, load_rule_book
from recommender.shopper.safety import Caution, SafetyBook, Screen, load_safety_book
from recommender.shopper.scoring import (
    cap_per_group,
    price_then_sku_rank,
    rank_order,
    rule_contributions,
    squash,
)
from recommender.shopper.suggestions import suggest

DEFAULT_K = 5
MAX_K = 50
MAX_REASONS = 3  # article rules per card, after the card's own first reason
CARD_COLUMNS = ("price", "support_level", "fits", "features")


@dataclass(frozen=True)
class Engine:
    catalog: Catalog
    weights: Weights
    rules: RuleBook
    safety: SafetyBook
    advice: AdviceBook
    model: Ranker | None = None
    notices: tuple[str, ...] = ()
    money: Money = PLAIN  # how prices read in held-back reasons and on cards
    _compiled: _Compiled = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _compile(self))

    @property
    def model_version(self) -> str:
        return self.model.name if self.model is not None else RULES_ONLY

    def rule_totals(self, feature_sets: Sequence[frozenset[str]]) -> np.ndarray:
        """Shoppers x products: each product's raw rule total, for many shoppers at once.

        The same sum `recommend` ranks by; training needs it for every logged session.
        """
        compiled = self._compiled
        if not feature_sets:
            return np.zeros((0, len(compiled.rows)))
        fired = np.vstack([self.rules.fired(features) for features in feature_sets])
        return (fired * compiled.rule_strength) @ compiled.product_rule_affinity.T

    def screen(self, answers: Answers) -> Screen:
        """The safety screen alone: what the answers mean before any product is scored."""
        return self.safety.screen(answer_features(answers))

    def recommend(self, answers: Answers, k: int = DEFAULT_K) -> Result:
        features = answer_features(answers)
        screen = self.safety.screen(features)
        scored = self._score(answers, features) if screen.shows_products else None
        return self._result(answers, features, screen, scored, k)

    def recommend_many(self, many: Sequence[Answers], k: int = DEFAULT_K) -> list[Result]:
        """`recommend` for each of many shoppers, the same results, with the model asked once
        for all of them: one booster call per batch instead of one per shopper."""
        if self.model is None or self.weights.blend_model <= 0:
            return [self.recommend(answers, k) for answers in many]
        steps = []
        for answers in many:
            features = answer_features(answers)
            screen = self.safety.screen(features)
            shows = screen.shows_products
            scored = self._score(answers, features, with_model=False) if shows else None
            steps.append((answers, features, screen, scored))
        self._add_model_parts([(a, f, s) for a, f, _, s in steps if s is not None])
        return [self._result(*step, k) for step in steps]

    def _result(
        self,
        answers: Answers,
        features: frozenset[str],
        screen: Screen,
        scored: Scored | None,
        k: int,
    ) -> Result:
        if scored is None:
            return Result(screen.triage, (), (), (), (), self.model_version, self.notices)
        # NG59 is applied to the final blended order, after the model and boosts have counted.
        held = self._compiled.ng59_categories if back_pain_only(answers) else None
        compiled = self._compiled
        shown = scored.top(
            k, self.weights.max_per_category, compiled.category_codes, held, compiled.tie_rank
        )
        reasons = self._reasons(shown, scored, answers, features)
        reasons = self._with_first_reasons(shown, reasons, answers, features)
        items = tuple(
            self._item(rank, index, scored, why)
            for rank, (index, why) in enumerate(zip(shown, reasons, strict=True), 1)
        )
        result = Result(
            triage=screen.triage_for(len(items)),
            items=items,
            excluded=self._excluded(scored, answers),
            advice=self.advice.for_shopper(answers, features),
            suggestions=() if items else suggest(scored, answers, self.catalog, self.money),
            model_version=self.model_version,
            notices=self.notices,
        )
        return result

    def _add_model_parts(self, batch: list[tuple[Answers, frozenset[str], Scored]]) -> None:
        """Fill in the model part of every shopper's scores from one call to the model."""
        rows = [np.flatnonzero(scored.eligible) for _, _, scored in batch]
        if self.model is None or not sum(len(r) for r in rows):
            return
        parts = [scored.parts for _, _, scored in batch]
        raws = [scored.contributions.sum(axis=1) for _, _, scored in batch]
        pairs = Pairs.many_shoppers(
            tuple(answers for answers, _, _ in batch),
            [features for _, features, _ in batch],
            self.catalog,
            rows,
            np.concatenate([raw[r] for raw, r in zip(raws, rows, strict=True)]),
            np.concatenate([p[r, 0] for p, r in zip(parts, rows, strict=True)]),
        )
        scores = np.asarray(self.model.score(pairs), float)
        scores = self.weights.blend_model * np.clip(np.nan_to_num(scores, nan=0.0), 0.0, 1.0)
        for part, shopper_rows, mine in zip(
            parts, rows, np.split(scores, np.cumsum([len(r) for r in rows])[:-1]), strict=True
        ):
            part[shopper_rows, 1] = mine

    def _score(
        self, answers: Answers, features: frozenset[str], *, with_model: bool = True
    ) -> Scored:
        compiled, weights = self._compiled, self.weights
        activation = self.rules.fired(features) * compiled.rule_strength
        contributions = rule_contributions(compiled.product_rule_affinity, activation)
        raw = contributions.sum(axis=1)
        cautions = self.safety.active_cautions(features)
        blocked, blocked_by = _caution_blocks(cautions, compiled.caution_masks, len(raw))
        prices = compiled.prices
        affordable = prices <= answers.budget_max if answers.budget_max is not None else True
        relevant = raw > 0
        sizes = _fit_sizes(self.catalog.sizes, compiled.sized, answers, relevant, blocked_by)
        blocked[list(blocked_by)] = True  # a product no size fits is held back like a caution
        eligible = relevant & ~blocked & compiled.in_stock & affordable
        rules_part = weights.blend_rules * squash(raw)
        model_part = np.zeros_like(raw)
        if with_model and self.model is not None and weights.blend_model > 0 and eligible.any():
            model_part[eligible] = weights.blend_model * self._model_scores(
                answers, features, eligible, raw, rules_part
            )
        boost_part = weights.blend_boost * compiled.boosts
        return Scored(
            contributions=contributions,
            parts=np.stack([rules_part, model_part, boost_part], axis=1),
            relevant=relevant,
            blocked_by=blocked_by,
            affordable=np.broadcast_to(affordable, raw.shape),
            eligible=eligible,
            warnings=_warnings(cautions, compiled.caution_masks),
            sizes=sizes,
        )

    def _model_scores(self, answers, features, eligible, raw, rules_part) -> np.ndarray:
        rows = np.flatnonzero(eligible)
        pairs = Pairs.one_shopper(
            answers, features, self.catalog, rows, raw[rows], rules_part[rows]
        )
        scores = self.model.score(pairs)
        scores = np.asarray(scores, float)
        return np.clip(np.nan_to_num(scores, nan=0.0), 0.0, 1.0)

    def _item(self, rank: int, index: int, scored: Scored, reasons: tuple[Reason, ...]) -> Item:
        product = self._compiled.rows[index]
        rules_part, model_part, boost_part = scored.parts[index].tolist()
        return Item(
            rank=rank,
            sku=product["sku"],
            name=product["name"],
            category=product["category"],
            price=product["price"],
            score=rules_part + model_part + boost_part,
            reasons=reasons,
            cautions=tuple(why for why, mask in scored.warnings if mask[index]),
            score_parts=ScoreParts(rules_part, model_part, boost_part),
            size=scored.sizes.get(index),
        )

    def _reasons(
        self, shown: list[int], scored: Scored, answers: Answers, features: frozenset[str]
    ) -> list[tuple[Reason, ...]]:
        """Each shown product's strongest fired rules, as reasons; one rule's text is built once."""
        rows = scored.contributions[shown]
        strongest = np.argsort(-rows, axis=1, kind="stable")[:, :MAX_REASONS].tolist()
        built: dict[tuple[int, str], Reason] = {}
        found = []
        for index, row, picks in zip(shown, rows.tolist(), strongest, strict=True):
            category = self._compiled.rows[index]["category"]
            for r in picks:
                if row[r] > 0 and (r, category) not in built:
                    built[r, category] = self.rules.rules[r].reason(answers, features, category)
            found.append(tuple(built[r, category] for r in picks if row[r] > 0))
        return found

    def _with_first_reasons(
        self,
        shown: list[int],
        reasons: list[tuple[Reason, ...]],
        answers: Answers,
        features: frozenset[str],
    ) -> list[tuple[Reason, ...]]:
        """Every card leads with what it offers that the cards above it do not."""
        facts = [card_facts(self._compiled.attributes[index], answers) for index in shown]
        by_id = {rule.id: rule for rule in self.rules.rules}
        strongest = [
            (by_id[why[0].rule].condition.told(answers, features), why[0].section)
            for why in reasons
        ]
        firsts = first_reasons(facts, strongest, answers, self.money.format)
        return [(first, *why) for first, why in zip(firsts, reasons, strict=True)]

    def _excluded(self, scored: Scored, answers: Answers) -> tuple[Excluded, ...]:
        skus, held = self._compiled.skus, []
        held += [Excluded(skus[index], why) for index, why in scored.blocked_by.items()]
        relevant_safe = scored.relevant & ~scored.blocked_mask(len(skus))
        out_of_stock = np.flatnonzero(relevant_safe & ~self._compiled.in_stock).tolist()
        held += [Excluded(skus[i], "held back: out of stock right now") for i in out_of_stock]
        over = np.flatnonzero(relevant_safe & self._compiled.in_stock & ~scored.affordable)
        prices, budget, money = self._compiled.prices, answers.budget_max, self.money.format
        held += [
            Excluded(
                skus[i], f"held back: {money(prices[i])} is over your budget of {money(budget)}"
            )
            for i in over.tolist()
        ]
        return tuple(held)


@dataclass
class Scored:
    """One shopper's scores over the whole catalog (rows follow the catalog's order)."""

    contributions: np.ndarray
    parts: np.ndarray  # products x (rules, model, boost)
    relevant: np.ndarray
    blocked_by: dict[int, str]
    affordable: np.ndarray
    eligible: np.ndarray
    warnings: tuple[tuple[str, np.ndarray], ...]  # (caution text, products it is on)
    sizes: dict[int, SizeFit] = field(default_factory=dict)  # the size that fits, by product

    @property
    def scores(self) -> np.ndarray:
        return self.parts.sum(axis=1)

    def hold_back(self, indices: list[int], why: str) -> None:
        """Hold products back after ranking (NG59 keeping them off the page), saying why, as
        a caution would: the result lists them and suggestions know they are not suitable."""
        self.blocked_by.update(dict.fromkeys(indices, why))
        self.eligible[indices] = False

    def blocked_mask(self, size: int) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        mask[list(self.blocked_by)] = True
        return mask

    def top(
        self,
        k: int,
        max_per_category: int,
        category_codes: np.ndarray,
        kept_out_of_top: np.ndarray | None = None,
        tie_rank: np.ndarray | None = None,
    ) -> list[int]:
        """The best `k` eligible products, at most `max_per_category` of a category; products
        flagged in `kept_out_of_top` (NG59) never sit in the first places, and when they could
        only sit there they are held back instead. Ties: `rank_order`."""
        order = rank_order(self.scores, self.eligible, self.parts[:, 0], tie_rank)
        if kept_out_of_top is None:
            return cap_per_group(order, category_codes, max_per_category, k)
        capped = cap_per_group(order, category_codes, max_per_category, len(order))
        shown, dropped = keep_out_of_top(capped, kept_out_of_top)
        self.hold_back(dropped, NG59_HELD_BACK)
        return shown[:k]


@dataclass(frozen=True)
class _Compiled:
    """What the engine precomputes once per catalog and weights."""

    product_rule_affinity: np.ndarray  # products x rules
    rule_strength: np.ndarray  # rule weight x merchandiser multiplier
    boosts: np.ndarray
    prices: np.ndarray
    in_stock: np.ndarray
    category_codes: np.ndarray
    ng59_categories: np.ndarray  # bool per product: a category NG59 advises against
    caution_masks: dict[str, np.ndarray]
    rows: list[dict]
    skus: list[str]
    attributes: list[dict]  # what a card may say about the product (support, fits, features)
    tie_rank: np.ndarray  # the last tie-break of equal scores: lower price, then SKU
    sized: dict[int, str]  # products that come in sizes: catalog row -> sku


def _compile(engine: Engine) -> _Compiled:
    catalog, rules, weights = engine.catalog, engine.rules, engine.weights
    products = catalog.products
    tags = catalog.tag_matrix(list(rules.target_keys))
    return _Compiled(
        product_rule_affinity=tags @ rules.affinity.T,
        rule_strength=np.array([r.weight * weights.multiplier(r.id) for r in rules.rules]),
        boosts=np.array([weights.boost(sku) for sku in products["sku"]]),
        prices=products["price"].to_numpy(float),
        in_stock=products["in_stock"].to_numpy(bool),
        category_codes=products["category"].astype("category").cat.codes.to_numpy(),
        ng59_categories=products["category"].isin(NG59_CATEGORIES).to_numpy(),
        caution_masks={c.id: c.applies_to(catalog) for c in engine.safety.cautions},
        rows=products[["sku", "name", "category", "price"]].to_dict("records"),
        skus=products["sku"].tolist(),
        attributes=products.reindex(columns=list(CARD_COLUMNS)).fillna("").to_dict("records"),
        tie_rank=price_then_sku_rank(products["price"].to_numpy(float), products["sku"].tolist()),
        sized={
            row: sku for row, sku in enumerate(products["sku"]) if sku in catalog.sizes.sized_skus
        },
    )


def _caution_blocks(
    cautions: tuple[Caution, ...], masks: dict[str, np.ndarray], size: int
) -> tuple[np.ndarray, dict[int, str]]:
    blocked = np.zeros(size, dtype=bool)
    why: dict[int, str] = {}
    for caution in cautions:
        if caution.excludes:
            newly = masks[caution.id] & ~blocked
            why.update(dict.fromkeys(np.flatnonzero(newly).tolist(), caution.why))
            blocked |= newly
    return blocked, why


def _fit_sizes(
    chart: SizeChart,
    sized: dict[int, str],
    answers: Answers,
    relevant: np.ndarray,
    blocked_by: dict[int, str],
) -> dict[int, SizeFit]:
    """The size that fits each product that comes in sizes; a relevant product none of whose
    sizes fits is added to `blocked_by` (a caution's reason, when there is one, stays)."""
    if not answers.measurements:
        return {}
    fits: dict[int, SizeFit] = {}
    for row, sku in sized.items():
        found = chart.fit(sku, answers.measurements)
        if isinstance(found, SizeFit):
            fits[row] = found
        elif isinstance(found, NoSizeFits) and relevant[row]:
            blocked_by.setdefault(row, found.why)
    return fits


def _warnings(
    cautions: tuple[Caution, ...], masks: dict[str, np.ndarray]
) -> tuple[tuple[str, np.ndarray], ...]:
    # Kept as masks: only the handful of shown products ever look their cautions up.
    return tuple((c.why, masks[c.id]) for c in cautions if not c.excludes)


def build_engine(
    catalog: Catalog,
    weights: Weights | None = None,
    model: Ranker | None = None,
    notices: tuple[str, ...] = (),
    money: Money = PLAIN,
) -> Engine:
    return Engine(
        catalog=catalog,
        weights=weights or Weights(),
        rules=load_rule_book(),
        safety=load_safety_book(),
        advice=load_advice_book(),
        model=model,
        notices=notices,
        money=money,
    )


def load_engine(
    catalog_dir: Path,
    model: Ranker | None = None,
    notices: tuple[str, ...] = (),
    money: Money = PLAIN,
) -> Engine:
    """The engine for the catalog and weights in `catalog_dir` (refused whole if either is bad)."""
    catalog = load_catalog(catalog_dir)
    rules = load_rule_book()
    weights = load_weights(catalog_dir, rules.ids, catalog.skus)
    return build_engine(catalog, weights, model, notices, money)
