"""Plain data of a participatory-budgeting election: projects, budget, ballots, outcome.

An `Election` is what a Pabulib `.pb` file holds: the META key/values, the projects with their
costs (exact `Fraction`s, never floats), the budget, and the ballots in a compact form (one CSR
structure of numpy arrays rather than one Python object per voter, so that 100,000 ballots
cost a few megabytes). The counting rules never change an `Election`; they read derived views
of it (`approval_view()`, `scores()`) that are computed once and cached.

Ballots, by vote type (the Pabulib names):

- `approval` (and `choose-1`): each ballot is a set of projects;
- `ordinal`: a ranking, most preferred first;
- `cumulative`: points spread over projects, their sum bounded;
- `scoring`: a score (a grade) per listed project.

Every rule can read any ballot through its "approval view": a voter supports the projects that
their ballot lists (this is also what pabutools' cost and cardinality satisfactions do).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from parvis.participation.budgeting.explain import ProjectExplanation, amount_str

IntArray = npt.NDArray[np.int64]


class BudgetingError(ValueError):
    """An election or a rule's options cannot be counted as asked."""


class VoteType(StrEnum):
    APPROVAL = "approval"
    CHOOSE_ONE = "choose-1"
    ORDINAL = "ordinal"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"

    @property
    def has_points(self) -> bool:
        return self in (VoteType.CUMULATIVE, VoteType.SCORING)


def as_money(value: Fraction | int | str | float) -> Fraction:
    """An exact amount: ints, Fractions and decimal strings ("12.50" or "12,50") are exact."""
    if isinstance(value, float):
        raise BudgetingError("money must be exact: give an int, a Fraction or a decimal string")
    if isinstance(value, str):
        try:
            return Fraction(value.strip().replace(",", "."))
        except (ValueError, ZeroDivisionError):
            raise BudgetingError(f"not an amount: {value!r}") from None
    return Fraction(value)


@dataclass(frozen=True, slots=True)
class Project:
    """A project put to the vote. `meta` keeps the other PROJECTS columns (name, category…)."""

    id: str
    cost: Fraction
    meta: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.meta.get("name", "")


@dataclass(frozen=True, eq=False)
class ApprovalView:
    """The ballots as sets of supported projects, identical ballots merged.

    `ballot_ptr`/`ballot_projects` list, for each distinct ballot, the projects it supports
    (CSR); `weight` is how many voters cast it. `project_ptr`/`project_ballots` is the
    transpose: for each project, the distinct ballots that support it. `n_voters` counts every
    voter, empty ballots included (they receive a share of the budget under MES).
    """

    n_voters: int
    weight: IntArray
    ballot_ptr: IntArray
    ballot_projects: IntArray
    project_ptr: IntArray
    project_ballots: IntArray
    approvals: IntArray  # per project: number of voters supporting it
    ballot_of_voter: IntArray  # per voter: the index of their distinct ballot

    @property
    def n_ballots(self) -> int:
        return len(self.weight)

    def supporters(self, project: int) -> IntArray:
        return self.project_ballots[self.project_ptr[project] : self.project_ptr[project + 1]]


@dataclass(frozen=True, eq=False)
class Election:
    """One participatory-budgeting election (one budget, one set of ballots).

    `ballot_ptr`/`ballot_projects` hold the ballots as CSR arrays: voter `v` lists the project
    indices `ballot_projects[ballot_ptr[v]:ballot_ptr[v + 1]]` (in ranking order for ordinal
    ballots), with `ballot_points` aligned to them for cumulative and scoring ballots.
    `voter_ids` and `voter_meta` (the other VOTES columns) are kept so that a file can be
    written back unchanged.
    """

    projects: tuple[Project, ...]
    budget: Fraction
    vote_type: VoteType
    ballot_ptr: IntArray
    ballot_projects: IntArray
    ballot_points: tuple[Fraction, ...] | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    voter_ids: tuple[str, ...] = ()
    voter_meta: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.ballot_ptr) - 1
        if n < 0 or self.ballot_ptr[0] != 0 or self.ballot_ptr[-1] != len(self.ballot_projects):
            raise BudgetingError("inconsistent ballot arrays")
        if self.budget < 0:
            raise BudgetingError("the budget cannot be negative")
        ids = [p.id for p in self.projects]
        if len(set(ids)) != len(ids):
            raise BudgetingError("project ids must be unique")
        if any(p.cost < 0 for p in self.projects):
            raise BudgetingError("a project cost cannot be negative")
        if len(self.ballot_projects) and (
            self.ballot_projects.min() < 0 or self.ballot_projects.max() >= len(self.projects)
        ):
            raise BudgetingError("a ballot names a project that does not exist")
        if self.vote_type.has_points != (self.ballot_points is not None):
            raise BudgetingError(f"{self.vote_type} ballots need points exactly when they score")
        if self.ballot_points is not None and len(self.ballot_points) != len(self.ballot_projects):
            raise BudgetingError("one point value per listed project")
        if self.voter_ids and len(self.voter_ids) != n:
            raise BudgetingError("one voter id per ballot")
        for column, values in self.voter_meta.items():
            if len(values) != n:
                raise BudgetingError(f"voter column {column!r} must have one value per ballot")

    # -- construction helpers ---------------------------------------------------------------

    @classmethod
    def build(
        cls,
        projects: Mapping[str, Fraction | int | str] | Sequence[Project],
        budget: Fraction | int | str,
        ballots: Iterable[Iterable[str]] | Iterable[Mapping[str, Fraction | int]],
        *,
        vote_type: VoteType | str = VoteType.APPROVAL,
        meta: Mapping[str, str] | None = None,
    ) -> Election:
        """An election from plain Python data (tests, other modules).

        `projects` maps ids to costs (or is a list of `Project`); `ballots` are lists of project
        ids (approval, ordinal) or mappings id -> points (cumulative, scoring).
        """
        vtype = VoteType(vote_type)
        if isinstance(projects, Mapping):
            plist = tuple(Project(str(k), as_money(v)) for k, v in projects.items())
        else:
            plist = tuple(projects)
        index = {p.id: i for i, p in enumerate(plist)}
        ptr = [0]
        flat: list[int] = []
        points: list[Fraction] | None = [] if vtype.has_points else None
        for ballot in ballots:
            if isinstance(ballot, Mapping):
                if points is None:
                    raise BudgetingError(f"{vtype} ballots are lists of project ids")
                for pid, value in ballot.items():
                    flat.append(_index_of(index, pid))
                    points.append(Fraction(value))
            else:
                if points is not None:
                    raise BudgetingError(f"{vtype} ballots map project ids to points")
                seen: set[int] = set()
                for pid in ballot:
                    i = _index_of(index, pid)
                    if i in seen:
                        if vtype is VoteType.ORDINAL:
                            raise BudgetingError(f"project {pid!r} ranked twice")
                        continue
                    seen.add(i)
                    flat.append(i)
            ptr.append(len(flat))
        full_meta = {"budget": _money_str(as_money(budget)), "vote_type": str(vtype)}
        full_meta.update(meta or {})
        return cls(
            projects=plist,
            budget=as_money(budget),
            vote_type=vtype,
            ballot_ptr=np.asarray(ptr, dtype=np.int64),
            ballot_projects=np.asarray(flat, dtype=np.int64),
            ballot_points=tuple(points) if points is not None else None,
            meta=full_meta,
            voter_ids=tuple(str(i + 1) for i in range(len(ptr) - 1)),
        )

    # -- basic facts ------------------------------------------------------------------------

    @property
    def n_voters(self) -> int:
        return len(self.ballot_ptr) - 1

    @cached_property
    def project_index(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.projects)}

    def ballot(self, voter: int) -> list[str]:
        """The project ids listed by one voter, in ballot order."""
        lo, hi = int(self.ballot_ptr[voter]), int(self.ballot_ptr[voter + 1])
        return [self.projects[int(i)].id for i in self.ballot_projects[lo:hi]]

    def points_of(self, voter: int) -> list[Fraction]:
        if self.ballot_points is None:
            raise BudgetingError(f"{self.vote_type} ballots carry no points")
        lo, hi = int(self.ballot_ptr[voter]), int(self.ballot_ptr[voter + 1])
        return list(self.ballot_points[lo:hi])

    def meta_int(self, key: str) -> int | None:
        value = self.meta.get(key, "").strip()
        if not value:
            return None
        try:
            return int(Fraction(value.replace(",", ".")))
        except (ValueError, ZeroDivisionError):
            raise BudgetingError(f"META {key} is not a number: {value!r}") from None

    # -- derived views (computed once) ------------------------------------------------------

    @cached_property
    def approval_view(self) -> ApprovalView:
        """Every ballot read as the set of projects it lists; identical ballots merged."""
        n, m = self.n_voters, len(self.projects)
        ptr, flat = self.ballot_ptr, self.ballot_projects
        lengths = np.diff(ptr)
        keys: dict[bytes, int] = {}
        ballot_of_voter = np.empty(n, dtype=np.int64)
        firsts: list[int] = []
        # A canonical key per ballot: its sorted project indices, as bytes.
        order = np.lexsort((flat, np.repeat(np.arange(n), lengths)))
        canon = flat[order].astype(np.int32)
        raw = canon.tobytes()
        for v in range(n):
            key = raw[4 * int(ptr[v]) : 4 * int(ptr[v + 1])]
            b = keys.get(key)
            if b is None:
                b = keys[key] = len(firsts)
                firsts.append(v)
            ballot_of_voter[v] = b
        weight = np.bincount(ballot_of_voter, minlength=len(firsts)).astype(np.int64)
        first = np.asarray(firsts, dtype=np.int64)
        b_len = lengths[first] if len(first) else np.zeros(0, dtype=np.int64)
        b_ptr = np.zeros(len(first) + 1, dtype=np.int64)
        np.cumsum(b_len, out=b_ptr[1:])
        if len(first):
            starts = np.repeat(ptr[first], b_len)
            offsets = np.arange(int(b_ptr[-1])) - np.repeat(b_ptr[:-1], b_len)
            b_projects = canon[starts + offsets].astype(np.int64)
        else:
            b_projects = np.zeros(0, dtype=np.int64)
        owner = np.repeat(np.arange(len(first), dtype=np.int64), b_len)
        by_project = np.argsort(b_projects, kind="stable")
        p_ballots = owner[by_project]
        counts = np.bincount(b_projects, minlength=m).astype(np.int64)
        p_ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(counts, out=p_ptr[1:])
        approvals = np.bincount(b_projects, weights=weight[owner], minlength=m)
        return ApprovalView(
            n_voters=n,
            weight=weight,
            ballot_ptr=b_ptr,
            ballot_projects=b_projects,
            project_ptr=p_ptr,
            project_ballots=p_ballots,
            approvals=np.rint(approvals).astype(np.int64),
            ballot_of_voter=ballot_of_voter,
        )

    @cached_property
    def approvals(self) -> tuple[int, ...]:
        """Per project, the number of voters whose ballot lists it."""
        counts = np.bincount(self.ballot_projects, minlength=len(self.projects))
        return tuple(int(c) for c in counts)

    @cached_property
    def scores(self) -> tuple[Fraction, ...]:
        """Per project, its score: approvals, or the sum of points for points ballots."""
        if self.ballot_points is None:
            return tuple(Fraction(a) for a in self.approvals)
        totals = [Fraction(0)] * len(self.projects)
        for i, pts in zip(self.ballot_projects.tolist(), self.ballot_points, strict=True):
            totals[i] += pts
        return tuple(totals)


def _index_of(index: Mapping[str, int], pid: Any) -> int:
    try:
        return index[str(pid)]
    except KeyError:
        raise BudgetingError(f"unknown project {pid!r}") from None


def _money_str(value: Fraction) -> str:
    """A decimal string for an exact amount (integers without a decimal point)."""
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise BudgetingError(f"{value} has no finite decimal form")
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def money_str(value: Fraction) -> str:
    """Public form of `_money_str`: an exact decimal string (used by the writer and reports)."""
    return _money_str(value)


@dataclass(frozen=True)
class Outcome:
    """The result of one count: the selected projects and why every project won or lost.

    `selected` lists project ids in the order the rule chose them; `explanations` has one
    record per project, in the election's project order; `seconds` is the counting time
    (parsing excluded); `details` holds rule-specific facts (for MES with a completion: the
    final per-voter budget, the number of steps...).
    """

    rule: str
    options: Mapping[str, Any]
    selected: tuple[str, ...]
    cost: Fraction
    budget: Fraction
    explanations: tuple[ProjectExplanation, ...]
    seconds: float
    details: Mapping[str, Any] = field(default_factory=dict)

    def explanation(self, project_id: str) -> ProjectExplanation:
        for record in self.explanations:
            if record.project == project_id:
                return record
        raise KeyError(project_id)

    @property
    def budget_left(self) -> Fraction:
        return self.budget - self.cost

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of the whole outcome, explanations included."""
        return self.to_dict(explain=True)

    def to_dict(self, *, explain: bool = True) -> dict[str, Any]:
        """JSON-ready values: amounts as exact decimal strings (or "p/q")."""
        data: dict[str, Any] = {
            "selected": list(self.selected),
            "rule": self.rule,
            "options": {k: _jsonable(v) for k, v in self.options.items()},
            "cost": amount_str(self.cost),
            "budget": amount_str(self.budget),
            "seconds": self.seconds,
            "details": {k: _jsonable(v) for k, v in self.details.items()},
        }
        if explain:
            data["explanations"] = [e.to_dict() for e in self.explanations]
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, Fraction):
        return amount_str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
