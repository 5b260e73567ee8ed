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
from recommender.shopper.advice import AdviceBook, load_advice_book
from recommender.shopper.answers import Answers
from recommender.shopper.compiled import CompiledTables, compile_tables
from recommender.shopper.contrast import card_facts, first_reasons
from recommender.shopper.features import answer_features
from recommender.shopper.guidance import placements_for
from recommender.shopper.ranker import Pairs, Ranker
from recommender.shopper.region import Region
from recommender.shopper.result import RULES_ONLY, Excluded, Item, Reason, Result, ScoreParts
from recommender.shopper.rules import RuleBook, load_rule_book
from recommender.shopper.safety import Caution, SafetyBook, Screen, load_safety_book
from recommender.shopper.scoring import (
    Scored,
    rule_contributions,
    squash,
)
from recommender.shopper.suggestions import suggest

DEFAULT_K = 5
MAX_K = 50
MAX_REASONS = 3  # article rules per card, after the card's own first reason


@dataclass(frozen=True)
class Engine:
    """Scores the whole catalog for a shopper's answers and explains the order; build with `load_engine`."""

    catalog: Catalog
    weights: Weights
    rules: RuleBook
    safety: SafetyBook
    advice: AdviceBook
    model: Ranker | None = None
    notices: tuple[str, ...] = ()
    money: Money = PLAIN  # how prices read in held-back reasons and on cards
    _compiled: CompiledTables = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "_compiled",
            compile_tables(self.catalog, self.rules, self.weights, self.safety.cautions),
        )

    @property
    def model_version(self) -> str:
        """The model that orders the results, or `rules-only`."""
        return self.model.name if self.model is not None else RULES_ONLY

    def rule_totals(self, feature_sets: Sequence[frozenset[str]]) -> np.ndarray:
        """Shoppers x products: each product's raw rule total, for many shoppers at once.

        The same sum `recommend` ranks by; training needs it for every logged session.
        """
        compiled = self._compiled
        if not feature_sets:
            return np.zeros((0, len(compiled.rows)))
        fired = np.vstack([self.rules.fired(features) for features in feature_sets])
        totals = (fired * compiled.rule_strength) @ compiled.product_rule_affinity.T
        for row, features in enumerate(feature_sets):
            totals[row, self._ruled_out(features)] = 0.0
        return totals

    def _ruled_out(self, features: frozenset[str]) -> np.ndarray:
        """Bool per product: no rule may favour it for these features (`[[not_for]]`)."""
        return np.isin(self._compiled.categories, self.rules.ruled_out(features))

    def rule_scores(self, rule_totals: np.ndarray) -> np.ndarray:
        """The rules part of each product's score, from its raw rule total, before the blend
        weighs it: what a ranker gets as `Pairs.rule_score`. It does not move with the rules
        weight, so a model serves the same at any blend it was trained under."""
        return squash(rule_totals)

    def screen(self, answers: Answers) -> Screen:
        """The safety screen alone: what the answers mean before any product is scored."""
        return self.safety.screen(answer_features(answers))

    def recommend(self, answers: Answers, k: int = DEFAULT_K) -> Result:
        """The safety screen, then the top `k` products with reasons, or the stop for a red flag."""
        return self._answer(answers, k, worded=True)

    def rank(self, answers: Answers, k: int = DEFAULT_K) -> Result:
        """`recommend`'s products in `recommend`'s order, without the words a shopper reads
        (reasons, advice, what was held back): for simulations and evaluations, which look
        only at what is shown where. About half the time of `recommend`."""
        return self._answer(answers, k, worded=False)

    def _answer(self, answers: Answers, k: int, *, worded: bool) -> Result:
        features = answer_features(answers)
        screen = self.safety.screen(features)
        scored = self._score(answers, features) if screen.shows_products else None
        return self._result(answers, features, screen, scored, k, worded=worded)

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
        *,
        worded: bool = True,
    ) -> Result:
        if scored is None:
            return Result(screen.triage, (), (), (), (), self.model_version, self.notices)
        compiled = self._compiled
        # NICE placements (NG59, NG226) are applied to the final blended order, after the model
        # and boosts have counted, as a guidance part of the score.
        kept = {p.id: compiled.placement_masks[p.id] for p in placements_for(answers)}
        shown = scored.top(
            k, self.weights.max_per_category, compiled.category_codes, kept, compiled.tie_rank
        )
        if not worded:
            items = tuple(self._item(rank, i, scored, ()) for rank, i in enumerate(shown, 1))
            return Result(
                screen.triage_for(len(items)), items, (), (), (), self.model_version, self.notices
            )
        strongest, more = self._reasons(shown, scored, answers, features)
        reasons = self._with_first_reasons(shown, strongest, more, answers, features)
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
        raw = np.concatenate([raw[r] for raw, r in zip(raws, rows, strict=True)])
        pairs = Pairs.many_shoppers(
            tuple(answers for answers, _, _ in batch),
            [features for _, features, _ in batch],
            self.catalog,
            rows,
            raw,
            self.rule_scores(raw),
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
        # No product for a problem the shopper told us they do not have.
        contributions[self._ruled_out(features)] = 0.0
        raw = contributions.sum(axis=1)
        cautions = self.safety.active_cautions(features)
        blocked, blocked_by = _caution_blocks(cautions, compiled.caution_masks, len(raw))
        prices = compiled.prices
        affordable = prices <= answers.budget_max if answers.budget_max is not None else True
        relevant = raw > 0
        sizes = _fit_sizes(self.catalog.sizes, compiled.sized, answers, relevant, blocked_by)
        blocked[list(blocked_by)] = True  # a product no size fits is held back like a caution
        eligible = relevant & ~blocked & compiled.in_stock & affordable
        rule_score = self.rule_scores(raw)
        rules_part = weights.blend_rules * rule_score
        model_part = np.zeros_like(raw)
        if with_model and self.model is not None and weights.blend_model > 0 and eligible.any():
            model_part[eligible] = weights.blend_model * self._model_scores(
                answers, features, eligible, raw, rule_score
            )
        boost_part = weights.blend_boost * compiled.boosts
        guidance_part = np.zeros_like(raw)  # set by `Scored.top` where a placement moves one
        return Scored(
            contributions=contributions,
            parts=np.stack([rules_part, model_part, boost_part, guidance_part], axis=1),
            relevant=relevant,
            blocked_by=blocked_by,
            affordable=np.broadcast_to(affordable, raw.shape),
            eligible=eligible,
            warnings=_warnings(cautions, compiled.caution_masks),
            sizes=sizes,
        )

    def _model_scores(self, answers, features, eligible, raw, rule_score) -> np.ndarray:
        rows = np.flatnonzero(eligible)
        pairs = Pairs.one_shopper(
            answers, features, self.catalog, rows, raw[rows], rule_score[rows]
        )
        assert self.model is not None  # the caller asks only when a model is served
        scores = self.model.score(pairs)
        scores = np.asarray(scores, float)
        return np.clip(np.nan_to_num(scores, nan=0.0), 0.0, 1.0)

    def _item(self, rank: int, index: int, scored: Scored, reasons: tuple[Reason, ...]) -> Item:
        product = self._compiled.rows[index]
        rules_part, model_part, boost_part, guidance_part = scored.parts[index].tolist()
        return Item(
            rank=rank,
            sku=product["sku"],
            name=product["name"],
            category=product["category"],
            price=product["price"],
            score=rules_part + model_part + boost_part + guidance_part,
            reasons=reasons,
            cautions=tuple(why for why, mask in scored.warnings if mask[index]),
            score_parts=ScoreParts(
                rules_part, model_part, boost_part, guidance_part, scored.moved_by.get(index, "")
            ),
            size=scored.sizes.get(index),
            image=product["image"] or None,
            url=product["url"] or None,
            currency=self.money.currency,
        )

    def _reasons(
        self, shown: list[int], scored: Scored, answers: Answers, features: frozenset[str]
    ) -> tuple[list[int], list[tuple[Reason, ...]]]:
        """Each shown product's strongest fired rule, and its "more reasons": its strongest
        fired rules as reasons, leaving out any line a card above it already carries (issue
        22: no two cards share a line). One rule's text is built once per category."""
        rows = scored.contributions[shown]
        ranked = np.argsort(-rows, axis=1, kind="stable").tolist()
        built: dict[tuple[int, str], Reason] = {}
        used: set[str] = set()
        strongest, found = [], []
        for index, row, order in zip(shown, rows.tolist(), ranked, strict=True):
            category = self._compiled.rows[index]["category"]
            strongest.append(order[0])
            picked: list[Reason] = []
            for r in order:
                if row[r] <= 0 or len(picked) == MAX_REASONS:
                    break
                if (r, category) not in built:
                    built[r, category] = self.rules.rules[r].reason(answers, features, category)
                if built[r, category].text not in used:
                    picked.append(built[r, category])
            used.update(reason.text for reason in picked)
            found.append(tuple(picked))
        return strongest, found

    def _with_first_reasons(
        self,
        shown: list[int],
        strongest: list[int],
        reasons: list[tuple[Reason, ...]],
        answers: Answers,
        features: frozenset[str],
    ) -> list[tuple[Reason, ...]]:
        """Every card leads with what it offers that the cards above it do not, naming what
        the shopper told us behind its strongest rule and citing that rule's section."""
        facts = [card_facts(self._compiled.attributes[index], answers) for index in shown]
        rules = [self.rules.rules[r] for r in strongest]
        told = [(rule.condition.told(answers, features), rule.section) for rule in rules]
        firsts = first_reasons(facts, told, answers, self.money.format)
        return [(first, *why) for first, why in zip(firsts, reasons, strict=True)]

    def _excluded(self, scored: Scored, answers: Answers) -> tuple[Excluded, ...]:
        skus, held = self._compiled.skus, []
        held += [Excluded(skus[index], why) for index, why in scored.blocked_by.items()]
        relevant_safe = scored.relevant & ~scored.blocked_mask(len(skus))
        out_of_stock = np.flatnonzero(relevant_safe & ~self._compiled.in_stock).tolist()
        held += [Excluded(skus[i], "held back: out of stock right now") for i in out_of_stock]
        over = np.flatnonzero(relevant_safe & self._compiled.in_stock & ~scored.affordable)
        prices, budget, money = self._compiled.prices, answers.budget_max, self.money.format
        budget = 0.0 if budget is None else budget  # without a budget nothing is over it
        held += [
            Excluded(
                skus[i], f"held back: {money(prices[i])} is over your budget of {money(budget)}"
            )
            for i in over.tolist()
        ]
        return tuple(held)


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
    region: Region | None = None,
) -> Engine:
    """`region` (default GB) sets the care words of every safety message and advice text."""
    return Engine(
        catalog=catalog,
        weights=weights or Weights(),
        rules=load_rule_book(),
        safety=load_safety_book(region=region),
        advice=load_advice_book(region=region),
        model=model,
        notices=notices,
        money=money,
    )


def load_engine(
    catalog_dir: Path,
    model: Ranker | None = None,
    notices: tuple[str, ...] = (),
    money: Money = PLAIN,
    region: Region | None = None,
) -> Engine:
    """The engine for the catalog and weights in `catalog_dir` (refused whole if either is bad)."""
    catalog = load_catalog(catalog_dir)
    rules = load_rule_book()
    weights = load_weights(catalog_dir, rules.ids, catalog.skus)
    return build_engine(catalog, weights, model, notices, money, region)
