"""Greedy selection with lazy evaluation (CELF), on a reduced instance.

The covered weight is a monotone submodular function of the chosen set (a cell's value only
grows with the number of sites reaching it, by w1 then w2 ≤ w1 then nothing), so a
candidate's marginal gain can only shrink as others are chosen. CELF (Leskovec et al., 2007)
keeps every candidate in a max-heap under its last computed gain: the top is re-evaluated,
and if it is still on top after that it is the true best and is chosen. Most candidates are
never re-evaluated in a round, which makes greedy almost linear in practice.

- **p sites**: the best gain, p times (or until nothing gains): at least (1 − 1/e) of the
  optimum (Nemhauser, Wolsey & Fisher 1978).
- **budget**: the best gain per unit of cost among the candidates that still fit, then the
  better of that and the best single candidate that fits (the classical fix that gives a
  constant-factor guarantee, Khuller, Moss & Naor 1999).
- **target**: the best gain (per unit of cost, when minimising cost) until the target is
  reached, then the chosen sites that have become redundant are dropped, last chosen first.

Ties go to the candidate that comes first, so results are deterministic.

`improve_by_swaps` is the local search the exact solver uses for its warm start: swap one
chosen candidate for one not chosen while that gains (first improvement). For each outside
candidate k the best partner is found exactly without trying them all: dropping j while
adding k only differs from "lose j's loss, win k's gain" on the cells both reach, so only
k's neighbours need an exact look, and among the others the one with the smallest loss is
the best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parvis.wifi.planning._jit import jit
from parvis.wifi.planning.model import B1, F64, I32, I64
from parvis.wifi.planning.reduce import Reduced

_P, _BUDGET, _TARGET = 0, 1, 2


@dataclass(frozen=True, eq=False)
class GreedyResult:
    """Chosen candidates (original indices, in the order chosen; `local`: the same in the
    reduced problem's numbering) and the objective value they reach on the reduced problem
    (constant included)."""

    chosen: I64
    local: I64
    value: float
    reached: bool  # target mode: whether the target was reached


def _result(reduced: Reduced, local: I64, reached: bool = True) -> GreedyResult:
    return GreedyResult(reduced.candidates[local], local, value_of(reduced, local), reached)


def value_of(reduced: Reduced, local: I64) -> float:
    """The objective of a choice (reduced indices) on the reduced problem, constant
    included: the same as on the whole instance (the reductions are exact)."""
    cols = reduced.columns()
    return reduced.constant + float(
        _value_of(
            np.asarray(local, dtype=np.int64), reduced.gain, reduced.w1, reduced.w2,
            cols.ptr, cols.index, reduced.n_rows,
        )
    )  # fmt: skip


def greedy_max_cover(
    reduced: Reduced,
    *,
    p: int | None = None,
    budget: float | None = None,
    start: I64 | None = None,
) -> GreedyResult:
    """Greedy for maximal covering with at most `p` sites, or within `budget`; `start`
    (reduced indices) are taken first, as if already chosen."""
    cols = reduced.columns()
    initial = np.zeros(0, dtype=np.int64) if start is None else np.asarray(start, np.int64)
    mode, ratio = (_P, False) if budget is None else (_BUDGET, True)
    picked, n, value, _ = _celf(
        reduced.gain, reduced.cost, reduced.w1, reduced.w2, cols.ptr, cols.index,
        mode, int(p or 0), float(budget or 0.0), 0.0, ratio, initial,
    )  # fmt: skip
    chosen = picked[:n]
    if budget is not None and start is None:
        # The best single candidate that fits may beat the ratio greedy (one large site).
        fits = np.flatnonzero(reduced.cost <= budget)
        if len(fits):
            single = _single_gains(reduced.gain, reduced.w1, cols.ptr, cols.index)
            best = int(fits[np.argmax(single[fits])])
            if single[best] > value:
                chosen = np.array([best], dtype=np.int64)
    return _result(reduced, chosen)


def improve_by_swaps(
    reduced: Reduced,
    local: I64,
    *,
    p: int | None = None,
    budget: float | None = None,
    max_swaps: int = 100_000,
) -> GreedyResult:
    """Local search from a choice (reduced indices): swap a chosen candidate for another
    while that gains (first improvement, cycling over the candidates until a whole cycle
    gains nothing), then add candidates while any gains and fits."""
    cols = reduced.columns()
    limit = np.inf if budget is None else float(budget)
    swapped = _swap_search(
        reduced.gain, reduced.cost, reduced.w1, reduced.w2, cols.ptr, cols.index,
        reduced.rows.ptr, reduced.rows.index, np.asarray(local, np.int64), limit, max_swaps,
    )  # fmt: skip
    return greedy_max_cover(reduced, p=p, budget=budget, start=swapped)


def greedy_set_cover(reduced: Reduced, *, target_weight: float, by_cost: bool) -> GreedyResult:
    """Greedy for reaching `target_weight` (constant included) with the fewest sites, or the
    cheapest when `by_cost`; redundant picks are dropped at the end."""
    cols = reduced.columns()
    need = target_weight - reduced.constant
    if need <= 0:
        return _result(reduced, np.zeros(0, dtype=np.int64))
    picked, n, _, reached = _celf(
        reduced.gain, reduced.cost, reduced.w1, reduced.w2, cols.ptr, cols.index,
        _TARGET, 0, 0.0, float(need), by_cost, np.zeros(0, dtype=np.int64),
    )  # fmt: skip
    keep = _prune(
        picked[:n], reduced.gain, reduced.w1, cols.ptr, cols.index, reduced.n_rows, float(need)
    )
    return _result(reduced, picked[:n][keep], bool(reached))


@jit
def _value_of(chosen: I64, gain: F64, w1: F64, w2: F64, ptr: I64, idx: I32, n_rows: int) -> float:
    count = np.zeros(n_rows, dtype=np.int64)
    value = 0.0
    for j in chosen:
        value += gain[j]
        for k in range(ptr[j], ptr[j + 1]):
            count[idx[k]] += 1
    for r in range(n_rows):
        if count[r] >= 1:
            value += w1[r]
        if count[r] >= 2:
            value += w2[r]
    return value


@jit
def _single_gains(gain: F64, w1: F64, ptr: I64, idx: I32) -> F64:
    out = gain.copy()
    for j in range(len(gain)):
        for k in range(ptr[j], ptr[j + 1]):
            out[j] += w1[idx[k]]
    return out


@jit
def _better(ka: float, ja: int, kb: float, jb: int) -> bool:
    return ka > kb or (ka == kb and ja < jb)


@jit
def _push(hk: F64, hj: I64, size: int, key: float, j: int) -> int:
    pos = size
    hk[pos] = key
    hj[pos] = j
    while pos > 0:
        parent = (pos - 1) // 2
        if _better(hk[pos], hj[pos], hk[parent], hj[parent]):
            hk[pos], hk[parent] = hk[parent], hk[pos]
            hj[pos], hj[parent] = hj[parent], hj[pos]
            pos = parent
        else:
            break
    return size + 1


@jit
def _pop(hk: F64, hj: I64, size: int) -> int:
    size -= 1
    hk[0] = hk[size]
    hj[0] = hj[size]
    pos = 0
    while True:
        left = 2 * pos + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and _better(hk[right], hj[right], hk[left], hj[left]):
            best = right
        if _better(hk[best], hj[best], hk[pos], hj[pos]):
            hk[pos], hk[best] = hk[best], hk[pos]
            hj[pos], hj[best] = hj[best], hj[pos]
            pos = best
        else:
            break
    return size


@jit
def _marginal(j: int, gain: F64, w1: F64, w2: F64, ptr: I64, idx: I32, count: I64) -> float:
    value = float(gain[j])
    for k in range(ptr[j], ptr[j + 1]):
        c = count[idx[k]]
        if c == 0:
            value += w1[idx[k]]
        elif c == 1:
            value += w2[idx[k]]
    return value


@jit
def _celf(
    gain: F64,
    cost: F64,
    w1: F64,
    w2: F64,
    ptr: I64,
    idx: I32,
    mode: int,
    p: int,
    budget: float,
    need: float,
    ratio: bool,
    initial: I64,
) -> tuple[I64, int, float, bool]:
    n = len(gain)
    count = np.zeros(len(w1), dtype=np.int64)
    chosen = np.empty(n, dtype=np.int64)
    taken = np.zeros(n, dtype=np.bool_)
    n_chosen = 0
    value = 0.0
    spent = 0.0
    for j in initial:
        value += _marginal(j, gain, w1, w2, ptr, idx, count)
        for k in range(ptr[j], ptr[j + 1]):
            count[idx[k]] += 1
        chosen[n_chosen] = j
        n_chosen += 1
        spent += cost[j]
        taken[j] = True
    hk = np.empty(n, dtype=np.float64)
    hj = np.empty(n, dtype=np.int64)
    fresh = np.zeros(n, dtype=np.int64)  # the round in which each key was computed
    size = 0
    for j in range(n):
        if not taken[j]:
            m = _marginal(j, gain, w1, w2, ptr, idx, count)
            size = _push(hk, hj, size, m / cost[j] if ratio else m, j)
    rounds = 0
    # Relative tolerance on the target: the sums of float weights are not exact.
    tol = 1e-9 * max(need, 1.0)
    while size > 0:
        if mode == _P and n_chosen >= p:
            break
        if mode == _TARGET and value >= need - tol:
            break
        j = hj[0]
        if mode == _BUDGET and spent + cost[j] > budget * (1 + 1e-12):
            size = _pop(hk, hj, size)  # never fits again: the budget left only shrinks
            continue
        if fresh[j] != rounds:
            m = _marginal(j, gain, w1, w2, ptr, idx, count)
            size = _pop(hk, hj, size)
            size = _push(hk, hj, size, m / cost[j] if ratio else m, j)
            fresh[j] = rounds
            continue
        if hk[0] <= 0.0:
            break  # nothing gains any more
        m = _marginal(j, gain, w1, w2, ptr, idx, count)
        size = _pop(hk, hj, size)
        chosen[n_chosen] = j
        n_chosen += 1
        value += m
        spent += cost[j]
        for k in range(ptr[j], ptr[j + 1]):
            count[idx[k]] += 1
        rounds += 1
    return chosen, n_chosen, value, value >= need - tol


@jit
def _prune(picked: I64, gain: F64, w1: F64, ptr: I64, idx: I32, n_rows: int, need: float) -> B1:
    """Drop picks, last chosen first, whose removal keeps the value at or above `need`
    (first coverage only: set covering has no backup)."""
    count = np.zeros(n_rows, dtype=np.int64)
    value = 0.0
    for j in picked:
        value += gain[j]
        for k in range(ptr[j], ptr[j + 1]):
            if count[idx[k]] == 0:
                value += w1[idx[k]]
            count[idx[k]] += 1
    keep = np.ones(len(picked), dtype=np.bool_)
    tol = 1e-9 * max(need, 1.0)
    for t in range(len(picked) - 1, -1, -1):
        j = picked[t]
        loss = gain[j]
        for k in range(ptr[j], ptr[j + 1]):
            if count[idx[k]] == 1:
                loss += w1[idx[k]]
        if value - loss >= need - tol:
            keep[t] = False
            value -= loss
            for k in range(ptr[j], ptr[j + 1]):
                count[idx[k]] -= 1
    return keep


@jit
def _loss(j: int, gain: F64, w1: F64, w2: F64, ptr: I64, idx: I32, count: I64) -> float:
    """What removing chosen candidate j would lose."""
    value = float(gain[j])
    for k in range(ptr[j], ptr[j + 1]):
        c = count[idx[k]]
        if c == 1:
            value += w1[idx[k]]
        elif c == 2:
            value += w2[idx[k]]
    return value


@jit
def _swap_search(
    gain: F64,
    cost: F64,
    w1: F64,
    w2: F64,
    ptr: I64,
    idx: I32,
    row_ptr: I64,
    row_idx: I32,
    start: I64,
    budget: float,
    max_swaps: int,
) -> I64:
    n, m = len(gain), len(w1)
    chosen = np.zeros(n, dtype=np.bool_)
    count = np.zeros(m, dtype=np.int64)
    spent = 0.0
    for j in start:
        chosen[j] = True
        spent += cost[j]
        for k in range(ptr[j], ptr[j + 1]):
            count[idx[k]] += 1
    loss = np.zeros(n, dtype=np.float64)
    for j in range(n):
        if chosen[j]:
            loss[j] = _loss(j, gain, w1, w2, ptr, idx, count)
    eps = 1e-9 * (np.sum(w1) + np.sum(gain) + 1.0)
    stamp = np.zeros(n, dtype=np.int64)
    row_mark = np.zeros(m, dtype=np.int64)
    tick = 0
    swaps = 0
    quiet = 0  # candidates examined since the last swap
    k = 0
    members = np.flatnonzero(chosen)
    members = members[np.argsort(loss[members], kind="mergesort")]
    while quiet < n and swaps < max_swaps and len(members) > 0:
        if not chosen[k]:
            gain_k = _marginal(k, gain, w1, w2, ptr, idx, count)
            tick += 1
            for e in range(ptr[k], ptr[k + 1]):
                row_mark[idx[e]] = tick
            best_delta = eps
            best_j = -1
            # Chosen neighbours of k: removing one while adding k keeps their shared rows.
            for e in range(ptr[k], ptr[k + 1]):
                r = idx[e]
                for f in range(row_ptr[r], row_ptr[r + 1]):
                    j = row_idx[f]
                    if not chosen[j] or stamp[j] == tick:
                        continue
                    stamp[j] = tick
                    if spent - cost[j] + cost[k] > budget * (1 + 1e-12):
                        continue
                    # Rows of both j and k keep their count (k in, j out): neither j's loss
                    # (w1 at count 1, w2 at count 2) nor k's gain (w2 at count 1) happens.
                    corr = 0.0
                    for g in range(ptr[j], ptr[j + 1]):
                        rr = idx[g]
                        if row_mark[rr] == tick:
                            c = count[rr]
                            if c == 1:
                                corr += w1[rr] - w2[rr]
                            elif c == 2:
                                corr += w2[rr]
                    delta = gain_k - loss[j] + corr
                    if delta > best_delta:
                        best_delta = delta
                        best_j = int(j)
            # The cheapest chosen candidate to drop among those sharing nothing with k: the
            # first of `members` (sorted by loss) that is not a neighbour and fits.
            for j in members:
                if stamp[j] == tick:
                    continue
                if spent - cost[j] + cost[k] > budget * (1 + 1e-12):
                    continue
                delta = gain_k - loss[j]
                if delta > best_delta:
                    best_delta = delta
                    best_j = int(j)
                break
            if best_j >= 0:
                j = best_j
                chosen[j] = False
                chosen[k] = True
                spent += cost[k] - cost[j]
                for e in range(ptr[j], ptr[j + 1]):
                    count[idx[e]] -= 1
                for e in range(ptr[k], ptr[k + 1]):
                    count[idx[e]] += 1
                # Losses change only for chosen candidates sharing a row with j or k.
                for x in (j, k):
                    for e in range(ptr[x], ptr[x + 1]):
                        r = idx[e]
                        for f in range(row_ptr[r], row_ptr[r + 1]):
                            i = row_idx[f]
                            if chosen[i]:
                                loss[i] = _loss(i, gain, w1, w2, ptr, idx, count)
                loss[k] = _loss(k, gain, w1, w2, ptr, idx, count)
                members = np.flatnonzero(chosen)
                members = members[np.argsort(loss[members], kind="mergesort")]
                swaps += 1
                quiet = 0
        quiet += 1
        k = (k + 1) % n
    return np.flatnonzero(chosen).astype(np.int64)
