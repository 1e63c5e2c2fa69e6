"""Which journeys to show: no duplicates, no dominated journey, one of each kind first, the
cheapest by generalised cost."""

from __future__ import annotations

from collections.abc import Sequence

from parvis.mobility.planning.model import PlannedJourney, Preferences

KIND_COST_RATIO = 1.5
"""The cheapest journey of a kind is put forward only if it costs at most this times the
cheapest journey: another kind worth seeing, not any leftover."""

Signature = tuple[object, ...]


def signature_of(j: PlannedJourney) -> Signature:
    """Two journeys with the same signature are the same journey."""
    legs = tuple(
        (leg.mode, leg.from_place.name, leg.to_place.name, leg.trip_id, leg.departure, leg.arrival)
        for leg in j.legs
    )
    return (j.departure, j.arrival, j.modes, legs)


def _sort_key(j: PlannedJourney) -> tuple[float, object, int, float]:
    return (j.cost, j.arrival, j.transfers, j.co2_g)


def dominates(a: PlannedJourney, b: PlannedJourney) -> bool:
    """`a` leaves no earlier, arrives no later and costs no more than `b`."""
    return a.departure >= b.departure and a.arrival <= b.arrival and a.cost <= b.cost


def pareto(journeys: Sequence[PlannedJourney]) -> list[PlannedJourney]:
    """The journeys no other journey dominates over (later departure, earlier arrival, lower
    cost); of equal ones, the first by (cost, arrival, transfers, CO2)."""
    seen: set[Signature] = set()
    kept: list[PlannedJourney] = []
    for j in sorted(journeys, key=_sort_key):
        sig = signature_of(j)
        if sig in seen or any(dominates(k, j) for k in kept):
            continue
        seen.add(sig)
        kept.append(j)
    return kept


def select(journeys: Sequence[PlannedJourney], prefs: Preferences) -> list[PlannedJourney]:
    """At most `prefs.max_journeys` of the Pareto set: the cheapest journey of each kind
    (distinct sequence of modes: walk, bike share, walk + rail, bike share + rail...) first
    when it costs at most `KIND_COST_RATIO` times the cheapest, so that a bike-share or
    walking option is not crowded out by five departures of the same train; then the
    cheapest others. Ranked by cost, ties by arrival; arrive-by queries list the latest
    departure first."""
    front = pareto(journeys)
    picked: list[PlannedJourney] = []
    kinds: set[tuple[str, ...]] = set()
    for j in front:
        if len(picked) >= prefs.max_journeys or j.cost > KIND_COST_RATIO * front[0].cost:
            break
        if j.modes not in kinds:
            kinds.add(j.modes)
            picked.append(j)
    for j in front:
        if len(picked) >= prefs.max_journeys:
            break
        if not any(j is p for p in picked):
            picked.append(j)
    picked.sort(key=_sort_key)
    if prefs.arrive_by:
        picked.sort(key=lambda j: j.departure, reverse=True)
    return picked
