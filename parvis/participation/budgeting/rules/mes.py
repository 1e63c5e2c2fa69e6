"""The Method of Equal Shares (MES, Peters & Skowron), exact, and its completions.

The rule
--------
Each of the `n` voters receives an equal share `b = budget / n` of the budget (empty ballots
included). A project can only be paid for by its supporters. In each round, for every project
`p` whose supporters still have at least its cost `c` between them, MES finds the smallest
payment `q` such that supporters paying `min(budget left, q)` each cover `c` exactly; the
price per unit of utility is `rho = q / u(p)`, where the utility `u(p)` of a supporter is the
project's cost ("cost" satisfaction, the equalshares.net and Pabulib default) or 1
("cardinality" satisfaction). The project with the smallest `rho` is bought (ties: see
`rules.base`), its supporters pay, and the rounds go on until no project is affordable.
Projects without supporters are never considered. A project of cost 0 with supporters is
selected before the first round under cardinality utility; under cost utility it is worth
nothing to anyone and MES never selects it (a greedy completion will). Both as in pabutools.

Completions (MES usually spends well under the budget):

- `greedy`: fill the rest greedily by votes (pabutools `completion_by_rule_combination`);
- `add1`: rerun MES with every voter's share raised by `increment` (1 currency unit by
  default), again and again, and keep the last outcome before the first one that costs more
  than the budget (pabutools `exhaustion_by_budget_increase(..., budget_step=n,
  exhaustive_stop=False)`, the recipe that reproduces Assen 2024 and Wieliczka 2023); with
  `stop="exhaustive"` it also stops at the first exhaustive outcome;
- `add1-greedy`: add1, then greedy on what is left ("Add1U");
- `add1-comparison`: add1, then compare with the plain greedy outcome and keep greedy only if
  strictly more voters prefer it (each voter compares the total cost of the projects they
  support in each outcome), the Wieliczka 2023 rule.

Exactness
---------
Every decision is taken on exact values; no float ever decides anything by itself.

- Money is counted in integers (see `rules.base.int_money`). All voters' remaining budgets
  share one common denominator `D`: a budget is the Python integer `x` meaning `x / D`.
  Initially `D = n` (the share is `B / n`, or `(B + k n) / n` at add1 step `k`). When a
  payment `q = (c D - P) / (R D)` is not a multiple of `1 / D` (P: money of the supporters
  who pay everything they have, R: number of the others), `D` and every budget are
  multiplied by `R / gcd(c D - P, R)` (a budget lazily, when it is next read). Integers grow
  by about 17 bits a round, which Python handles.
- A price `rho` is kept as an exact pair of integers (numerator, denominator) and compared by
  cross-multiplication. Each price also carries the float `numerator / denominator`, which
  Python rounds correctly; correct rounding is monotone, so `float(x) < float(y)` implies
  `x < y` and the floats order projects for free; only equal floats are compared exactly.
- Voters are grouped in "classes" of equal remaining budget: a voter's budget depends only on
  which selected projects they paid for in full (or is 0), so thousands of voters share a few
  hundred classes. For a project, the supporters' classes are sorted by the float of their
  budget (correctly rounded, so the order is exact except between equal floats; if equal
  floats touch the boundary below, the classes are sorted exactly), a short float walk
  estimates where "paying all they have" ends, and the exact
  integer conditions `b_poor R < c D - P <= b_rich R` are checked and the boundary moved
  until they hold. Whether a project is affordable at all is decided on floats only when
  the float total of its supporters' money is more than 1e-9 (relative) away from its cost;
  the float sum of at most 2^20 non-negative correctly rounded terms is within 1e-9 of the
  exact sum, otherwise the exact integer sum decides.
- As in pabutools, prices are re-evaluated lazily: a project's last price is a lower bound of
  its current price (budgets only shrink), so a round evaluates projects in the order of
  their last price and stops as soon as the next lower bound exceeds the best current price
  (`float(lower) > float(best)`, hence `lower > best` exactly).

So the outcome is the exact MES outcome, as pabutools computes it with exact fractions, for
every instance; the tests check it against the official outcomes and pabutools' outcomes.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import gcd
from operator import mul
from typing import Any

import numpy as np
import numpy.typing as npt

from parvis.participation.budgeting.explain import (
    ProjectExplanation,
    Share,
    Status,
    money,
)
from parvis.participation.budgeting.model import BudgetingError, Election
from parvis.participation.budgeting.rules.base import (
    TIE_OPTION,
    IntMoney,
    Option,
    Progress,
    RuleResult,
    int_money,
    tie_order,
)
from parvis.participation.budgeting.rules.greedy import greedy_fill, greedy_order

UTILITIES = ("cost", "cardinality")
COMPLETIONS = ("none", "greedy", "add1", "add1-greedy", "add1-comparison")
_AFFORD_MARGIN = 1e-9
_SCREEN_MARGIN = 1e-6
_MAX_CLASSES_FOR_FLOAT_TOTAL = 1 << 20

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass
class _Purchase:
    """One round of the final run, kept to explain it: who paid how much."""

    project: int
    round: int
    rho_num: int
    rho_den: int
    q_num: int  # payment of the voters who could afford it, over `denominator`
    denominator: int
    groups: list[tuple[int, int, bool]]  # (amount over denominator, voters, exhausted)
    ballots: IntArray  # supporting distinct ballots...
    ballot_class: IntArray  # ...and their class (budget level) before paying
    class_amount: dict[int, int]  # class -> amount paid per voter, over denominator
    class_budget: dict[int, int]  # class -> budget before paying, over denominator


@dataclass
class MesRun:
    """The outcome of one MES run at a given per-voter share."""

    selected: list[int]
    share: Fraction
    purchases: list[_Purchase] = field(default_factory=list)
    became_unaffordable: dict[int, tuple[int, Fraction, int | None]] = field(default_factory=dict)
    final_money: dict[int, Fraction] = field(default_factory=dict)


class MesEngine:
    """MES on the approval view of an election, for utilities uniform per project.

    Built once per election and utility; `run(share)` may then be called many times (add1).
    """

    def __init__(
        self, election: Election, utility: str, tie_rank: list[int], money_: IntMoney
    ) -> None:
        if utility not in UTILITIES:
            raise BudgetingError(f"unknown utility {utility!r} (known: {', '.join(UTILITIES)})")
        view = election.approval_view
        self.view = view
        self.m = len(election.projects)
        self.costs = money_.costs
        self.utils = list(money_.costs) if utility == "cost" else [1] * self.m
        self.rank = tie_rank
        weight = view.weight.astype(np.float64)
        self.supp = [view.supporters(p) for p in range(self.m)]
        self.supp_w = [weight[s] for s in self.supp]
        self.approvals = [int(a) for a in view.approvals]
        # A free project is bought before the first round if its supporters value it; under
        # cost utility its utility is its cost, 0, so MES never buys it (as in pabutools).
        self.free = sorted(
            (
                p
                for p in range(self.m)
                if self.costs[p] == 0 and self.approvals[p] > 0 and self.utils[p] > 0
            ),
            key=lambda p: tie_rank[p],
        )
        heap = []
        for p in range(self.m):
            if self.costs[p] > 0 and self.approvals[p] > 0:
                num, den = self.costs[p], self.approvals[p] * self.utils[p]
                heap.append((num / den, tie_rank[p], p, num, den))
        heapq.heapify(heap)
        self.initial_heap = heap

    # -- one run -------------------------------------------------------------------------------

    def run(self, share: Fraction, *, explain: bool = False) -> MesRun:
        """MES with a per-voter share `share` (in scaled money units)."""
        state = _RunState(self, share, explain)
        return state.execute()


class _RunState:
    def __init__(self, engine: MesEngine, share: Fraction, explain: bool) -> None:
        self.e = engine
        self.share = share
        self.explain = explain
        nb = engine.view.n_ballots
        # Class 0 holds the voters with nothing left; class 1 starts with everyone.
        self.D = share.denominator
        self.cb: list[int] = [0, share.numerator]
        # Budgets are rescaled lazily: cb[j] is over the denominator of epoch ep[j], and
        # ratio[e] is the current denominator divided by that of epoch e.
        self.ep: list[int] = [0, 0]
        self.epoch = 0
        self.ratio: list[int] = [1]
        self.fcb = np.zeros(64, dtype=np.float64)
        self.fcb[1] = float(share)
        self.ncls = 2
        if share > 0:
            self.cls = np.ones(nb, dtype=np.int64)
        else:
            self.cls = np.zeros(nb, dtype=np.int64)

    # class bookkeeping: a class is a budget level, shared by the voters who paid for the same
    # selected projects (equal budgets reached otherwise stay in separate classes: that is rare
    # and harmless, since equal floats are sorted exactly).

    def _new_classes(self, budgets: list[int]) -> int:
        """Add classes with these budgets (over the current denominator); the first new id."""
        start = self.ncls
        end = start + len(budgets)
        while end > len(self.fcb):
            self.fcb = np.concatenate([self.fcb, np.zeros(len(self.fcb))])
        self.cb.extend(budgets)
        self.ep.extend([self.epoch] * len(budgets))
        denominator = self.D
        self.fcb[start:end] = [b / denominator for b in budgets]
        self.ncls = end
        return start

    def _rescale(self, factor: int) -> None:
        """Multiply the common denominator by `factor` (budgets follow when next read)."""
        self.D *= factor
        self.ratio = [r * factor for r in self.ratio]
        self.ratio.append(1)
        self.epoch += 1

    def _refresh(self, ids: list[int] | tuple[int, ...]) -> None:
        """Bring the budgets of classes `ids` to the current denominator."""
        epoch, ep, cb, ratio = self.epoch, self.ep, self.cb, self.ratio
        for x in ids:
            e_x = ep[x]
            if e_x != epoch:
                cb[x] *= ratio[e_x]
                ep[x] = epoch

    # pricing one project

    def evaluate(self, p: int) -> tuple[int, int, _Eval] | None:
        """Exact (numerator, denominator) of the price of `p`, or None if unaffordable."""
        e = self.e
        cnt = np.bincount(self.cls[e.supp[p]], weights=e.supp_w[p], minlength=self.ncls)
        cnt[0] = 0.0
        nz = cnt.nonzero()[0]
        n_cls = len(nz)
        if n_cls == 0:
            return None
        cost = e.costs[p]
        c_d = cost * self.D
        cb = self.cb
        if n_cls == 1:  # everyone has the same budget
            x = int(nz[0])
            self._refresh((x,))
            k = int(cnt[x])
            if cb[x] * k < c_d:
                return None
            return c_d, k * self.D * e.utils[p], _Eval([x], [k], 0, c_d, k)
        fv = self.fcb[nz]
        kv = cnt[nz]
        order = fv.argsort()
        ids = nz[order].tolist()
        floats = fv[order].tolist()
        ks = kv[order].astype(np.int64).tolist()
        total_f = sum(map(mul, floats, ks))
        if abs(total_f - cost) <= _AFFORD_MARGIN * cost or n_cls > _MAX_CLASSES_FOR_FLOAT_TOTAL:
            self._refresh(ids)
            if sum(map(mul, [cb[x] for x in ids], ks)) < c_d:
                return None
        elif total_f < cost:
            return None
        total_k = sum(ks)
        # Float estimate of the first class that can pay the full share (a short walk: the
        # classes that pay all they have are few)...
        rich_f = float(total_k)
        poor_f = 0.0
        cost_f = float(cost)
        j = 0
        last = n_cls - 1
        while j < last and floats[j] * rich_f < cost_f - poor_f:
            poor_f += floats[j] * ks[j]
            rich_f -= ks[j]
            j += 1
        # ...then the exact boundary: class j pays q in full, class j - 1 cannot.
        epoch, ep, ratio = self.epoch, self.ep, self.ratio
        for x in ids[: j + 1]:
            if ep[x] != epoch:
                cb[x] *= ratio[ep[x]]
                ep[x] = epoch
        poor = sum(map(mul, [cb[x] for x in ids[:j]], ks[:j])) if j else 0
        rich = total_k - sum(ks[:j])
        while cb[ids[j]] * rich < c_d - poor:
            poor += cb[ids[j]] * ks[j]
            rich -= ks[j]
            j += 1
            if j == n_cls:  # impossible for an affordable project
                raise AssertionError("MES pricing ran past the richest supporters")
            self._refresh(ids[j : j + 1])
        while j > 0 and cb[ids[j - 1]] * rich >= c_d - poor:
            j -= 1
            poor -= cb[ids[j]] * ks[j]
            rich += ks[j]
        # The float order is the exact order, except between equal floats: if equal floats
        # touch the boundary, sort exactly and find the boundary again.
        if (
            (j > 0 and floats[j - 1] == floats[j])
            or (j > 1 and floats[j - 2] == floats[j - 1])
            or (j + 1 < n_cls and floats[j] == floats[j + 1])
        ):
            self._refresh(ids)
            pairs = sorted(zip(ids, ks, strict=True), key=lambda t: cb[t[0]])
            ids = [t[0] for t in pairs]
            ks = [t[1] for t in pairs]
            j, poor, rich = _boundary(self, ids, ks, 0, c_d)
        num = c_d - poor
        den = rich * self.D * e.utils[p]
        return num, den, _Eval(ids, ks, j, num, rich)

    # the rounds

    def execute(self) -> MesRun:
        e = self.e
        heap = list(e.initial_heap)
        selected = list(e.free)
        run = MesRun(selected=selected, share=self.share)
        alive = [True] * e.m
        for p in selected:
            alive[p] = False
        if self.explain:
            self._start_explaining(run)
        round_no = 0
        while heap:
            best: tuple[float, int, int, int, int] | None = None
            best_eval: _Eval | None = None
            popped: list[tuple[float, int, int, int, int]] = []
            while heap:
                top = heap[0]
                if best is not None and top[0] > best[0]:
                    break
                heapq.heappop(heap)
                p = top[2]
                priced = self.evaluate(p)
                if priced is None:
                    alive[p] = False
                    continue
                num, den, ev = priced
                entry = (num / den, e.rank[p], p, num, den)
                popped.append(entry)
                if best is None or _better(entry, best):
                    best, best_eval = entry, ev
            if best is None or best_eval is None:
                break
            for entry in popped:
                if entry is not best:
                    heapq.heappush(heap, entry)
            round_no += 1
            s = best[2]
            alive[s] = False
            selected.append(s)
            self._pay(s, best, best_eval, run, round_no)
            if self.explain:
                self._track_affordability(run, alive, s, round_no)
        if self.explain:
            self._final_money(run)
        return run

    def _pay(
        self,
        s: int,
        best: tuple[float, int, int, int, int],
        ev: _Eval,
        run: MesRun,
        round_no: int,
    ) -> None:
        num, rich = ev.num, ev.rich
        g = gcd(num, rich)
        factor = rich // g
        if factor > 1:
            self._rescale(factor)
        q = num // g  # payment of the voters who pay in full, over the new D
        ids, ks, j = ev.ids, ev.ks, ev.j
        self._refresh(ids)
        cb = self.cb
        lut = np.arange(self.ncls, dtype=np.int64)
        # Those before the boundary pay all they have (class 0); the others pay q and move to
        # a new class (or to class 0 if q was all they had).
        left = [cb[x] - q for x in ids[j:]]
        kept = [b for b in left if b > 0]
        first = self._new_classes(kept)
        targets = [0] * j
        for b in left:
            if b > 0:
                targets.append(first)
                first += 1
            else:
                targets.append(0)
        idx = np.asarray(ids, dtype=np.int64)
        moved = np.asarray(targets, dtype=np.int64)
        lut[idx] = moved
        sp = self.e.supp[s]
        old = self.cls[sp]
        if self.explain:
            amounts = {x: (cb[x] if i < j else q) for i, x in enumerate(ids)}
            groups: dict[tuple[int, bool], int] = {}
            for x, k in zip(ids, ks, strict=True):
                key = (amounts[x], amounts[x] == cb[x])
                groups[key] = groups.get(key, 0) + k
            run.purchases.append(
                _Purchase(
                    project=s,
                    round=round_no,
                    rho_num=best[3],
                    rho_den=best[4],
                    q_num=q,
                    denominator=self.D,
                    groups=[(a, k, ex) for (a, ex), k in sorted(groups.items())],
                    ballots=sp,
                    ballot_class=old.copy(),
                    class_amount=amounts,
                    class_budget={x: cb[x] for x in ids},
                )
            )
        if self.explain:
            self._spend_money_f(idx, j, q, sp, old)
        self.cls[sp] = lut[old]

    # explanations (final run only)

    def _spend_money_f(self, idx: IntArray, j: int, q: int, sp: IntArray, old: IntArray) -> None:
        """Take this round's payments off the float money of every project they support."""
        e = self.e
        amount = np.zeros(self.ncls, dtype=np.float64)
        amount[idx[:j]] = self.fcb[idx[:j]]
        amount[idx[j:]] = q / self.D
        paid = amount[old] * e.view.weight[sp]
        starts = e.view.ballot_ptr[sp]
        lengths = e.view.ballot_ptr[sp + 1] - starts
        entries = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(
            int(lengths.sum())
        )
        projects = e.view.ballot_projects[entries]
        self.money_f -= np.bincount(projects, weights=np.repeat(paid, lengths), minlength=e.m)

    def _money_exact(self, p: int) -> Fraction:
        e = self.e
        cnt = np.bincount(self.cls[e.supp[p]], weights=e.supp_w[p], minlength=self.ncls)
        cnt[0] = 0.0
        nz = np.flatnonzero(cnt)
        self._refresh(nz.tolist())
        total = sum(map(mul, [self.cb[j] for j in nz.tolist()], cnt[nz].astype(np.int64).tolist()))
        return Fraction(total, self.D)

    def _start_explaining(self, run: MesRun) -> None:
        e = self.e
        # Float money of each project's supporters, updated at every payment; it only screens
        # (an exact sum decides whenever it is within 1e-6 of the cost).
        self.money_f = float(self.share) * np.asarray(e.approvals, dtype=np.float64)
        self.tracked = [
            p for p in range(e.m) if e.costs[p] > 0 and e.approvals[p] > 0 and p not in e.free
        ]
        still = []
        for p in self.tracked:
            have = self.share * e.approvals[p]
            if have < e.costs[p]:
                run.became_unaffordable[p] = (0, have, None)
            else:
                still.append(p)
        self.tracked = still

    def _track_affordability(self, run: MesRun, alive: list[bool], s: int, round_no: int) -> None:
        e = self.e
        money_f = self.money_f
        still = []
        for p in self.tracked:
            if p == s or p in run.became_unaffordable:
                continue
            if money_f[p] > e.costs[p] * (1 + _SCREEN_MARGIN):
                still.append(p)
                continue
            have = self._money_exact(p)
            if have < e.costs[p]:
                run.became_unaffordable[p] = (round_no, have, s)
            else:
                still.append(p)
        self.tracked = [p for p in still if p not in run.selected]

    def _final_money(self, run: MesRun) -> None:
        for p in range(self.e.m):
            if p not in run.selected and self.e.approvals[p] > 0:
                run.final_money[p] = self._money_exact(p)


def _boundary(
    state: _RunState, ids: list[int], ks: list[int], j: int, c_d: int
) -> tuple[int, int, int]:
    """Move the guess `j` to the first class (in `ids` order) that can pay the full share.

    Returns `(j, P, R)`: the money of the classes before `j` (who pay all they have) and the
    number of voters from `j` on (who pay the same amount, `(c_d - P) / R`). Requires `ids`
    sorted by budget and the supporters' money to be at least `c_d`.
    """
    n = len(ids)
    state._refresh(ids[: j + 1])
    cb = state.cb
    poor = sum(map(mul, [cb[x] for x in ids[:j]], ks[:j]))
    rich = sum(ks[j:])
    while cb[ids[j]] * rich < c_d - poor:
        poor += cb[ids[j]] * ks[j]
        rich -= ks[j]
        j += 1
        if j == n:  # impossible for an affordable project
            raise AssertionError("MES pricing ran past the richest supporters")
        state._refresh(ids[j : j + 1])
    while j > 0 and cb[ids[j - 1]] * rich >= c_d - poor:
        j -= 1
        poor -= cb[ids[j]] * ks[j]
        rich += ks[j]
    return j, poor, rich


@dataclass
class _Eval:
    ids: list[int]
    ks: list[int]
    j: int
    num: int
    rich: int


def _better(a: tuple[float, int, int, int, int], b: tuple[float, int, int, int, int]) -> bool:
    """Is price `a` strictly better than `b` (lower, or equal and earlier in the tie order)?"""
    if a[0] != b[0]:
        return a[0] < b[0]
    left, right = a[3] * b[4], b[3] * a[4]
    if left != right:
        return left < right
    return a[1] < b[1]


# -- the rule and its completions -------------------------------------------------------------

MES_OPTIONS = (
    Option("utility", str, "cost", "a supporter's utility: the project's cost, or 1", UTILITIES),
    Option("completion", str, "none", "how to spend what MES leaves", COMPLETIONS),
    Option("increment", Fraction, Fraction(1), "add1: raise of each voter's share per step"),
    Option(
        "stop",
        str,
        "infeasible",
        "add1: stop before the first over-budget outcome, or also at the first exhaustive one",
        ("infeasible", "exhaustive"),
    ),
    TIE_OPTION,
)


def method_of_equal_shares(
    election: Election, options: Mapping[str, Any], progress: Progress | None
) -> RuleResult:
    money_ = int_money(election)
    rank = tie_order(election, options["tie_breaking"])
    engine = MesEngine(election, options["utility"], rank, money_)
    completion = options["completion"]
    n = election.n_voters
    budget_units = money_.budget
    details: dict[str, Any] = {"utility": options["utility"], "completion": completion}
    base_share = Fraction(0) if n == 0 else Fraction(budget_units, n)
    if completion.startswith("add1"):
        increment = options["increment"] * money_.scale
        if increment <= 0:
            raise BudgetingError("option increment must be positive")
        final, steps, overshoot = _add1(
            engine, base_share, increment, budget_units, options["stop"], election, progress
        )
        details.update(
            steps=steps,
            share=Fraction(final.share) / money_.scale,
            initial_share=base_share / money_.scale,
        )
        if overshoot is not None:
            details["next_step_cost"] = Fraction(overshoot) / money_.scale
    else:
        final = engine.run(base_share, explain=True)
        details["share"] = base_share / money_.scale
    explanations = _explain_mes(election, engine, final, money_, details)
    selected = list(final.selected)
    # Completions rank projects by approvals (pabutools' greedy with cost satisfaction).
    approvals = [Fraction(a) for a in engine.approvals]
    order = greedy_order(election, rank, approvals)
    if completion in ("greedy", "add1-greedy"):
        spent = sum(money_.costs[p] for p in selected)
        added, fill_records = greedy_fill(
            election,
            order,
            money_,
            start=selected,
            spent=spent,
            scores=approvals,
            phase="greedy completion",
        )
        for p in added:
            explanations[p] = fill_records[p]
        selected.extend(added)
        details["completed_by_greedy"] = [election.projects[p].id for p in added]
    elif completion == "add1-comparison":
        greedy_selected, greedy_records = greedy_fill(
            election, order, money_, start=[], spent=0, scores=approvals, phase="greedy"
        )
        prefer_mes, prefer_greedy = _compare(election, money_, selected, greedy_selected)
        details["comparison"] = {"prefer_mes": prefer_mes, "prefer_greedy": prefer_greedy}
        if prefer_greedy > prefer_mes:
            details["kept"] = "greedy"
            selected = greedy_selected
            note = f" Greedy kept: {prefer_greedy:,} voters prefer it, {prefer_mes:,} prefer MES."
            explanations = [
                replace(greedy_records[p], reason=greedy_records[p].reason + note)
                for p in range(len(election.projects))
            ]
        else:
            details["kept"] = "mes"
    if progress is not None:
        progress(f"{len(selected)} projects selected")
    return RuleResult(selected=selected, explanations=explanations, details=details)


def _add1(
    engine: MesEngine,
    base: Fraction,
    increment: Fraction,
    budget: int,
    stop: str,
    election: Election,
    progress: Progress | None,
) -> tuple[MesRun, int, int | None]:
    costs = engine.costs
    # Once MES buys every project it can ever buy, raising the shares changes nothing more.
    supported = set(engine.free) | {entry[2] for entry in engine.initial_heap}
    previous = engine.run(base)
    step = 0
    overshoot: int | None = None
    # A share at which every voter could pay every project alone: nothing changes beyond it.
    ceiling = base + sum(costs) + 1
    while True:
        if set(previous.selected) >= supported:
            break
        share = base + (step + 1) * increment
        if share > ceiling:
            break
        current = engine.run(share)
        cost = sum(costs[p] for p in current.selected)
        if progress is not None:
            progress(f"add1 step {step + 1}: {len(current.selected)} projects")
        if cost > budget:
            overshoot = cost
            break
        step += 1
        previous = current
        if stop == "exhaustive" and _exhaustive(costs, current.selected, budget):
            break
    return engine.run(previous.share, explain=True), step, overshoot


def _exhaustive(costs: list[int], selected: list[int], budget: int) -> bool:
    spent = sum(costs[p] for p in selected)
    chosen = set(selected)
    return all(spent + c > budget for p, c in enumerate(costs) if p not in chosen)


def _compare(election: Election, money_: IntMoney, a: list[int], b: list[int]) -> tuple[int, int]:
    """How many voters strictly prefer `a`, and `b`, by the cost of the projects they support."""
    view = election.approval_view
    m = len(election.projects)
    value_a = np.zeros(m, dtype=object)
    value_b = np.zeros(m, dtype=object)
    for p in a:
        value_a[p] = money_.costs[p]
    for p in b:
        value_b[p] = money_.costs[p]
    diff = value_a - value_b
    owner = np.repeat(np.arange(view.n_ballots), np.diff(view.ballot_ptr))
    per_ballot = np.zeros(view.n_ballots, dtype=object)
    np.add.at(per_ballot, owner, diff[view.ballot_projects])
    prefer_a = int(view.weight[per_ballot > 0].sum())
    prefer_b = int(view.weight[per_ballot < 0].sum())
    return prefer_a, prefer_b


def _explain_mes(
    election: Election,
    engine: MesEngine,
    run: MesRun,
    money_: IntMoney,
    details: dict[str, Any],
) -> list[ProjectExplanation]:
    scale = money_.scale
    scores = election.scores
    view = election.approval_view
    records: dict[int, ProjectExplanation] = {}
    share = run.share / scale
    for p in engine.free:
        records[p] = ProjectExplanation(
            project=election.projects[p].id,
            cost=election.projects[p].cost,
            selected=True,
            status=Status.SELECTED,
            reason="Costs nothing and has supporters: selected before the first round.",
            score=scores[p],
            round=0,
            phase="mes",
        )
    for purchase in run.purchases:
        p = purchase.project
        denom = purchase.denominator * scale
        # Group the paying ballots by the amount they paid.
        group_of_amount = {(a, ex): g for g, (a, _, ex) in enumerate(purchase.groups)}
        classes = np.asarray(list(purchase.class_amount), dtype=np.int64)
        lut = np.full(int(purchase.ballot_class.max(initial=0)) + 1, -1, dtype=np.int64)
        lut[classes] = [
            group_of_amount[(a, a == purchase.class_budget[x])]
            for x, a in purchase.class_amount.items()
        ]
        group = lut[purchase.ballot_class]
        order = np.argsort(group, kind="stable")
        bounds = np.searchsorted(group[order], np.arange(len(purchase.groups) + 1))
        shares = [
            Share(
                Fraction(amount, denom),
                voters,
                exhausted,
                ballots=purchase.ballots[order[bounds[g] : bounds[g + 1]]],
                ballot_of_voter=view.ballot_of_voter,
            )
            for g, (amount, voters, exhausted) in enumerate(purchase.groups)
        ]
        q = Fraction(purchase.q_num, denom)
        n_full = sum(s.voters for s in shares if not s.exhausted)
        n_all = sum(s.voters for s in shares)
        reason = (
            f"Round {purchase.round}: the cheapest price per unit of utility. "
            f"{n_full:,} of its {n_all:,} supporters paid {money(q)} each"
        )
        n_exhausted = n_all - n_full
        if n_exhausted:
            reason += f", {n_exhausted:,} paid all they had left"
        reason += f" (cost {money(election.projects[p].cost)})."
        records[p] = ProjectExplanation(
            project=election.projects[p].id,
            cost=election.projects[p].cost,
            selected=True,
            status=Status.SELECTED,
            reason=reason,
            score=scores[p],
            round=purchase.round,
            phase="mes",
            price=Fraction(purchase.rho_num, purchase.rho_den)
            / (scale if details["utility"] == "cardinality" else 1),
            payments=tuple(shares),
        )
    for p in range(len(election.projects)):
        if p in records:
            continue
        project = election.projects[p]
        if view.approvals[p] == 0:
            records[p] = ProjectExplanation(
                project=project.id,
                cost=project.cost,
                selected=False,
                status=Status.NO_SUPPORT,
                reason="No voter supports it, so no one can pay for it.",
                score=scores[p],
            )
            continue
        if money_.costs[p] == 0:
            records[p] = ProjectExplanation(
                project=project.id,
                cost=project.cost,
                selected=False,
                status=Status.NOT_REACHED,
                reason=(
                    "It costs nothing, so under cost utility it is worth nothing to its "
                    "supporters and MES does not select it (a greedy completion would)."
                ),
                score=scores[p],
            )
            continue
        when = run.became_unaffordable.get(p)
        final = run.final_money.get(p, Fraction(0)) / scale
        if when is None:
            have = final
            reason = (
                f"Its supporters had {money(have)} left, less than its cost {money(project.cost)}."
            )
            lost_to = None
        else:
            round_no, have_scaled, culprit = when
            have = have_scaled / scale
            if culprit is None:
                reason = (
                    f"Its {int(view.approvals[p]):,} supporters had {money(have)} between "
                    f"them ({money(share)} each), less than its cost {money(project.cost)}."
                )
                lost_to = None
            else:
                lost_to = election.projects[culprit].id
                reason = (
                    f"After round {round_no} (project {lost_to}) its supporters had "
                    f"{money(have)} left, less than its cost {money(project.cost)}; until "
                    "then other projects were cheaper per unit of utility."
                )
        records[p] = ProjectExplanation(
            project=project.id,
            cost=project.cost,
            selected=False,
            status=Status.UNAFFORDABLE,
            reason=reason,
            score=scores[p],
            supporters_money=have,
            lost_to=lost_to,
        )
    if "steps" in details:
        extra = (
            f" Shares raised {details['steps']} times to {money(details['share'])} per voter "
            "(add1)."
        )
        for p, record in records.items():
            if record.selected:
                records[p] = replace(record, reason=record.reason + extra)
    return [records[p] for p in range(len(election.projects))]
