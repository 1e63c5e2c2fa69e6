"""Exact reductions of a covering instance before it is solved.

The covering models value a cell by how many chosen sites (existing or new) reach it: `w1`
for the first, `w2` for the second (backup coverage, `w2 = θ·w` with θ ≤ 1; 0 without
backup), nothing beyond. Each step below keeps, for every choice of candidates, the same
objective value (up to a constant), so an optimum of the reduced problem is an optimum of the
original one:

1. **Cells the existing sites already serve** are constant: without backup a cell reached by
   an existing site is worth `w` whatever is chosen (it moves to the constant); with backup,
   a cell reached twice is constant and a cell reached once is worth `w` now and `θ·w` more if
   a candidate reaches it (a one-need row of weight `θ·w`).
2. **Cells no candidate reaches**, or of zero weight, cannot change the objective: dropped.
3. **Cells with the same set of candidates** (and the same need) always have the same number
   of chosen sites reaching them: they become one row whose weights are the sums.
4. **Cells only one candidate reaches** are worth their first-coverage weight exactly when
   that candidate is chosen (a second site can never reach them): the weight is folded into
   the candidate's own objective coefficient (`gain`), and the row disappears. In the MILP
   this removes a variable and a constraint per such cell (`z_i ≤ y_j` with `z_i` at its
   bound at every optimum).
5. **Candidates left with no row and no folded gain** change nothing: dropped (never chosen).

Set covering to a target uses steps 1–5 too: the constant is subtracted from the target, and
a folded gain counts in the coverage constraint exactly as the cells it replaces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parvis.wifi.planning._jit import jit
from parvis.wifi.planning.coverage import Coverage
from parvis.wifi.planning.model import F64, I32, I64
from parvis.wifi.planning.problem import Instance


@dataclass(frozen=True, slots=True)
class Sizes:
    """Problem sizes before and after reduction (cells → rows, candidates, coverage pairs)."""

    cells: int
    candidates: int
    pairs: int
    rows: int
    reduced_candidates: int
    reduced_pairs: int
    constant_cells: int  # served by existing sites (constant)
    unreachable_cells: int  # no candidate reaches them (or zero weight)
    folded_cells: int  # reached by one candidate only: folded into its gain
    merged_cells: int  # merged into another row with the same candidate set

    def to_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(frozen=True, eq=False)
class Reduced:
    """The reduced problem: rows (merged cells) with first and second coverage weights
    `w1`, `w2`, their candidate sets `rows` (in reduced candidate indices), each reduced
    candidate's folded `gain` and `cost`, its original index `candidates`, and the
    objective `constant` (weight the existing sites serve whatever is chosen)."""

    w1: F64
    w2: F64
    rows: Coverage
    gain: F64
    cost: F64
    candidates: I64
    constant: float
    sizes: Sizes

    @property
    def n_rows(self) -> int:
        return len(self.w1)

    @property
    def n_candidates(self) -> int:
        return len(self.gain)

    def columns(self) -> Coverage:
        """Candidate -> rows (the transpose of `rows`)."""
        return self.rows.transpose()


def reduce_instance(instance: Instance, *, backup_weight: float = 0.0) -> Reduced:
    """Apply the reductions of the module docstring (backup coverage when
    `backup_weight` θ > 0, θ ≤ 1)."""
    w = instance.weight
    existing = instance.existing
    reach = instance.cover.counts
    theta = float(backup_weight)
    if theta > 0:
        constant = float(w[existing >= 1].sum() + theta * w[existing >= 2].sum())
        w1: F64 = np.where(existing == 0, w, np.where(existing == 1, theta * w, 0.0))
        w2: F64 = np.where(existing == 0, theta * w, 0.0)
    else:
        constant = float(w[existing >= 1].sum())
        w1 = np.where(existing == 0, w, 0.0)
        w2 = np.zeros_like(w)
    constant_cells = int((existing >= (2 if theta > 0 else 1)).sum())
    live = (w1 > 0) & (reach > 0)
    unreachable = int(((w1 > 0) & (reach == 0)).sum())

    cells = np.flatnonzero(live)
    ptr, index = instance.cover.ptr, instance.cover.index
    need2 = (w2[cells] > 0).astype(np.int64)
    lengths = reach[cells]
    h1, h2 = _row_hashes(ptr, index, cells)
    order = np.lexsort((h2, h1, lengths, need2))
    group = _group_rows(ptr, index, cells[order], need2[order])
    n_groups = int(group[-1]) + 1 if len(group) else 0
    first = np.zeros(n_groups, dtype=np.int64)
    first[group] = cells[order]  # any member represents its group: their rows are identical
    gw1 = np.bincount(group, weights=w1[cells[order]], minlength=n_groups).astype(np.float64)
    gw2 = np.bincount(group, weights=w2[cells[order]], minlength=n_groups).astype(np.float64)
    glen = reach[first]

    # Fold single-candidate rows into their candidate's gain (only their first coverage
    # counts: no second site can reach them).
    single = glen == 1
    gain_full = np.zeros(instance.n_candidates, dtype=np.float64)
    np.add.at(gain_full, index[ptr[first[single]]], gw1[single])
    multi = np.flatnonzero(~single)
    rows_ptr = np.zeros(len(multi) + 1, dtype=np.int64)
    np.cumsum(glen[multi], out=rows_ptr[1:])
    rows_index_full = _gather_rows(ptr, index, first[multi], rows_ptr)

    used = np.zeros(instance.n_candidates, dtype=bool)
    used[rows_index_full] = True
    used |= gain_full > 0
    kept = np.flatnonzero(used)
    remap = np.full(instance.n_candidates, -1, dtype=np.int32)
    remap[kept] = np.arange(len(kept), dtype=np.int32)
    rows = Coverage(rows_ptr, remap[rows_index_full].astype(np.int32), len(kept))
    sizes = Sizes(
        cells=instance.n_cells,
        candidates=instance.n_candidates,
        pairs=instance.cover.nnz,
        rows=len(multi),
        reduced_candidates=len(kept),
        reduced_pairs=rows.nnz,
        constant_cells=constant_cells,
        unreachable_cells=unreachable,
        folded_cells=int(np.bincount(group, minlength=n_groups)[single].sum()),
        merged_cells=len(cells) - n_groups,
    )
    return Reduced(
        w1=gw1[multi],
        w2=gw2[multi],
        rows=rows,
        gain=gain_full[kept],
        cost=instance.cost[kept],
        candidates=kept.astype(np.int64),
        constant=constant,
        sizes=sizes,
    )


@jit
def _row_hashes(ptr: I64, index: I32, cells: I64) -> tuple[I64, I64]:
    """Two independent 64-bit hashes of each cell's (sorted) candidate list: equal lists give
    equal hashes; different lists are told apart by `_group_rows` anyway."""
    h1 = np.empty(len(cells), dtype=np.int64)
    h2 = np.empty(len(cells), dtype=np.int64)
    for k in range(len(cells)):
        i = cells[k]
        a = np.uint64(1469598103934665603)
        b = np.uint64(7)
        for e in range(ptr[i], ptr[i + 1]):
            v = np.uint64(index[e]) + np.uint64(1)
            a = (a ^ v) * np.uint64(1099511628211)
            b = b * np.uint64(6364136223846793005) + v * np.uint64(1442695040888963407)
        h1[k] = np.int64(a)
        h2[k] = np.int64(b)
    return h1, h2


@jit
def _group_rows(ptr: I64, index: I32, cells: I64, need2: I64) -> I64:
    """Group ids for cells sorted by (need, length, hashes): a cell joins the group of the
    previous one only if its candidate list is identical (checked entry by entry, so a
    hash collision can only miss a merge, never merge two different rows)."""
    group = np.empty(len(cells), dtype=np.int64)
    g = -1
    for k in range(len(cells)):
        same = False
        if k > 0 and need2[k] == need2[k - 1]:
            a, b = cells[k], cells[k - 1]
            la, lb = ptr[a + 1] - ptr[a], ptr[b + 1] - ptr[b]
            if la == lb:
                same = True
                for e in range(la):
                    if index[ptr[a] + e] != index[ptr[b] + e]:
                        same = False
                        break
        if not same:
            g += 1
        group[k] = g
    return group


@jit
def _gather_rows(ptr: I64, index: I32, cells: I64, out_ptr: I64) -> I32:
    out = np.empty(out_ptr[-1], dtype=np.int32)
    for k in range(len(cells)):
        i = cells[k]
        out[out_ptr[k] : out_ptr[k + 1]] = index[ptr[i] : ptr[i + 1]]
    return out
