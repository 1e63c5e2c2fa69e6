"""Counting rules: official outcomes, pabutools' outcomes, tie-breaking, exactness, explanations."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pytest

from parvis.participation.budgeting import (
    RULES,
    BudgetingError,
    Election,
    Outcome,
    Status,
    count,
    get_rule,
    rule_from_meta,
)
from tests.participation.budgeting_helpers import (
    ALL_FILES,
    AMSTERDAM,
    ASSEN,
    LODZ,
    TOULOUSE,
    WARSZAWA,
    WIELICZKA,
    load,
    outcomes,
)

# -- official outcomes -------------------------------------------------------------------------

OFFICIAL = [
    (ASSEN, "mes-add1"),
    (WIELICZKA, "mes-add1"),
    (WIELICZKA, "mes-add1-comparison"),
    (WARSZAWA, "greedy-threshold"),
    (LODZ, "greedy-threshold"),
    (LODZ, "greedy"),
]


@pytest.mark.parametrize(("name", "rule"), OFFICIAL)
def test_official_outcomes(name: str, rule: str) -> None:
    election = load(name)
    official = outcomes(name)["official_selected"]
    outcome = count(election, rule)
    assert sorted(outcome.selected) == sorted(official)
    # The `selected` column of the file says the same.
    assert sorted(p.id for p in election.projects if p.meta.get("selected", "0") != "0") == sorted(
        official
    )


@pytest.mark.parametrize("name", [ASSEN, WIELICZKA, WARSZAWA, LODZ])
def test_the_rule_named_in_the_file_gives_the_official_outcome(name: str) -> None:
    election = load(name)
    rule = rule_from_meta(election)
    assert rule is not None
    assert sorted(count(election, rule.name).selected) == sorted(
        outcomes(name)["official_selected"]
    )


def test_plain_greedy_differs_from_warsaws_official_outcome_by_one_project() -> None:
    election = load(WARSZAWA)
    plain = set(count(election, "greedy").selected)
    official = set(outcomes(WARSZAWA)["official_selected"])
    assert plain - official == {"1664"}
    assert count(election, "greedy").explanation("1664").score < 3000
    record = count(election, "greedy-threshold").explanation("1664")
    assert record.status is Status.BELOW_THRESHOLD


# -- pabutools' outcomes, as recorded in outcomes.json -----------------------------------------

PABUTOOLS_KEYS = {
    "greedy_by_votes": "greedy",
    "greedy_cost_sat_pabutools": "greedy",
    "mes_cost_sat_no_completion": "mes",
    "mes_cost_sat_then_greedy": "mes-greedy",
    "mes_cost_sat_add1_until_infeasible": "mes-add1",
}
# outcomes.json has the add1 recipe for Assen and Wieliczka only (pabutools is too slow on
# the others); the benchmark compares Łódź with pabutools directly.
CASES = [
    (name, key)
    for name in ALL_FILES
    for key in PABUTOOLS_KEYS
    if name in (ASSEN, WIELICZKA) or "add1" not in key
]


@pytest.mark.parametrize(("name", "key"), CASES)
def test_pabutools_outcomes(name: str, key: str) -> None:
    expected = outcomes(name)[key]
    outcome = count(load(name), PABUTOOLS_KEYS[key])
    assert sorted(outcome.selected) == sorted(expected)


# pabutools 1.2.3, FRACTION="float", multiprofile, exhaustion_by_budget_increase(...,
# method_of_equal_shares, {"sat_class": Cost_Sat}, budget_step=90494, exhaustive_stop=False):
# 788 s on the development machine (not recorded in outcomes.json).
LODZ_MES_ADD1_PABUTOOLS = [
    "L007",
    "L010",
    "L025",
    "L028",
    "L029",
    "L030",
    "L038",
    "L039",
    "L047",
    "L050",
    "L056",
    "L058",
    "L060",
    "L062",
    "L064",
    "L082",
    "L085",
    "L087",
    "L094",
    "L095",
    "L096",
    "L102",
    "L105",
    "L109",
    "L113",
    "L115",
    "L122",
    "L126",
    "L133",
    "L136",
    "L138",
    "L141",
    "L142",
    "L151",
    "L160",
    "L161",
    "L163",
    "L175",
    "L187",
    "L203",
    "L204",
    "L205",
    "L206",
    "L207",
]


def test_lodz_mes_add1_equals_pabutools() -> None:
    outcome = count(load(LODZ), "mes-add1")
    assert sorted(outcome.selected) == LODZ_MES_ADD1_PABUTOOLS
    assert outcome.details["steps"] == 58


@pytest.mark.parametrize("name", [WARSZAWA, LODZ])
def test_greedy_with_the_files_threshold(name: str) -> None:
    election = load(name)
    threshold = election.meta_int("min_project_score_threshold")
    expected = outcomes(name)[f"greedy_by_votes_with_threshold_{threshold}"]
    assert sorted(count(election, "greedy-threshold").selected) == sorted(expected)
    explicit = count(election, "greedy-threshold", threshold=str(threshold))
    assert explicit.selected == count(election, "greedy-threshold").selected


# -- explanations ----------------------------------------------------------------------------


def check_explanations(election: Election, outcome: Outcome) -> None:
    """Every project has one record, and the records agree with the outcome and each other."""
    assert [r.project for r in outcome.explanations] == [p.id for p in election.projects]
    chosen = set(outcome.selected)
    assert len(chosen) == len(outcome.selected)
    for record in outcome.explanations:
        assert record.selected == (record.project in chosen)
        assert (record.status is Status.SELECTED) == record.selected
        assert record.reason
    assert outcome.cost == sum(election.projects[election.project_index[p]].cost for p in chosen)
    if outcome.rule.startswith("mes") and outcome.details.get("kept", "mes") == "mes":
        check_mes_payments(election, outcome)
    for record in outcome.explanations:
        if record.status is Status.OVER_BUDGET and record.budget_left is not None:
            assert record.cost > record.budget_left
        if record.selected and record.budget_left is not None:
            assert record.cost <= record.budget_left
        if record.status is Status.UNAFFORDABLE:
            assert record.supporters_money is not None
            assert record.supporters_money < record.cost
    if outcome.rule == "greedy":
        ranked = sorted(
            (r for r in outcome.explanations if r.rank is not None), key=lambda r: r.rank or 0
        )
        left = election.budget
        for record in ranked:
            assert record.budget_left == left
            if record.selected:
                left -= record.cost


def check_mes_payments(election: Election, outcome: Outcome) -> None:
    share = outcome.details["share"]
    paid_by_voter: dict[int, Fraction] = defaultdict(Fraction)
    supporters = election.approval_view
    for record in outcome.explanations:
        if record.phase != "mes" or not record.selected or record.cost == 0:
            continue
        assert record.paid == record.cost, record.project
        assert record.price is not None and record.price > 0
        p = election.project_index[record.project]
        supporter_set = set(
            np.flatnonzero(np.isin(supporters.ballot_of_voter, supporters.supporters(p))).tolist()
        )
        payers = 0
        for share_group in record.payments:
            assert share_group.amount > 0
            indices = share_group.voter_indices().tolist()
            assert len(indices) == share_group.voters
            assert set(indices) <= supporter_set
            payers += share_group.voters
            for v in indices:
                paid_by_voter[v] += share_group.amount
        assert payers <= len(supporter_set)  # supporters with nothing left pay nothing
        # Those who could afford it pay the same amount q; the others pay less (all they had).
        full = {s.amount for s in record.payments if not s.exhausted}
        assert len(full) <= 1
        if full:
            q = full.pop()
            assert all(s.amount <= q for s in record.payments)
            if record.price is not None and outcome.details.get("utility") == "cost":
                assert q == record.price * record.cost
    assert all(total <= share for total in paid_by_voter.values())


EXPLAINED = [
    (ASSEN, "mes-add1"),
    (ASSEN, "greedy"),
    (ASSEN, "phragmen"),
    (WIELICZKA, "mes-add1-comparison"),
    (WIELICZKA, "mes-greedy"),
    (WIELICZKA, "mes"),
    (WIELICZKA, "greedy-no-skip"),
    (TOULOUSE, "greedy"),
    (AMSTERDAM, "phragmen"),
    (WARSZAWA, "greedy-threshold"),
]


@pytest.mark.parametrize(("name", "rule"), EXPLAINED)
def test_explanations_are_consistent(name: str, rule: str) -> None:
    election = load(name)
    outcome = count(election, rule)
    check_explanations(election, outcome)
    data = outcome.to_json()
    assert data["selected"] == list(outcome.selected)
    assert len(data["explanations"]) == len(election.projects)


def test_mes_explains_who_paid_and_who_was_short() -> None:
    election = load(ASSEN)
    outcome = count(election, "mes-add1")
    assert outcome.details["steps"] == 843
    assert outcome.details["share"] == Fraction(100_000, 84) + 843
    first = outcome.explanation("3")
    assert first.round == 1
    assert [(s.amount, s.voters, s.exhausted) for s in first.payments] == [
        (Fraction(7200, 43), 43, False)
    ]
    assert first.price == Fraction(1, 43)
    short = outcome.explanation("8")
    assert short.status is Status.UNAFFORDABLE
    assert short.lost_to == "2"
    assert short.supporters_money is not None and short.supporters_money < 40_000
    never = outcome.explanation("10")
    assert never.lost_to is None
    assert never.supporters_money == 19 * outcome.details["share"]


# -- small elections: rules, tie-breaking, edge cases ----------------------------------------


def ids(outcome: Outcome) -> list[str]:
    return list(outcome.selected)


def test_greedy_skips_what_does_not_fit_and_no_skip_stops() -> None:
    election = Election.build(
        {"a": 60, "b": 50, "c": 30, "d": 10},
        100,
        [["a", "b"], ["a", "b"], ["a", "c"], ["b", "d"], ["a"]],
    )
    assert ids(count(election, "greedy")) == ["a", "c", "d"]
    assert ids(count(election, "greedy-no-skip")) == ["a"]
    record = count(election, "greedy-no-skip").explanation("c")
    assert record.status is Status.NOT_REACHED
    assert ids(count(election, "greedy-threshold", threshold=2)) == ["a"]
    assert count(election, "greedy").explanation("b").status is Status.OVER_BUDGET


def test_greedy_tie_breaking() -> None:
    projects = {"9": 50, "10": 60, "2": 40}
    ballots = [["9", "10", "2"], ["9", "10", "2"]]
    election = Election.build(projects, 60, ballots)
    # All tied on votes; "10" < "2" < "9" as strings.
    assert ids(count(election, "greedy")) == ["10"]
    assert ids(count(election, "greedy", tie_breaking="min-cost")) == ["2"]
    assert ids(count(election, "greedy", tie_breaking="max-cost")) == ["10"]
    assert count(election, "greedy").explanation("9").rank == 3
    more = Election.build(projects, 60, [*ballots, ["9"]])
    assert ids(count(more, "greedy")) == ["9"]  # more votes first, whatever the id


def test_mes_tie_breaking_and_utilities() -> None:
    # Both projects cost their two supporters 1/2 per unit of cost: a tie.
    election = Election.build({"x": 2, "y": 1}, 2, [["x", "y"], ["x", "y"]])
    assert ids(count(election, "mes")) == ["x"]
    assert ids(count(election, "mes", tie_breaking="min-cost")) == ["y"]
    # With cardinality utility y is cheaper per unit of utility (1/2 < 1 per voter).
    assert ids(count(election, "mes", utility="cardinality")) == ["y"]


def test_phragmen_tie_breaking_and_stop() -> None:
    election = Election.build({"b": 2, "a": 2, "c": 3}, 4, [["a", "b"], ["a", "b"], ["c"]])
    outcome = count(election, "phragmen")
    assert ids(outcome) == ["a", "b"]
    assert outcome.explanation("c").status is Status.OVER_BUDGET
    assert outcome.details["stopped_at"] == ["c"]
    assert outcome.explanation("a").load == 1
    assert outcome.explanation("b").load == 2


def test_mes_completions_on_a_small_election() -> None:
    election = Election.build(
        {"p1": 30, "p2": 30, "p3": 40, "p4": 20},
        100,
        [["p1", "p3"], ["p1"], ["p2", "p3"], ["p2"], ["p3", "p4"]],
    )
    plain = count(election, "mes")
    assert plain.cost <= 100
    completed = count(election, "mes-greedy")
    assert set(plain.selected) <= set(completed.selected)
    for pid in set(completed.selected) - set(plain.selected):
        assert completed.explanation(pid).phase == "greedy completion"
    add1 = count(election, "mes-add1")
    assert add1.cost <= 100
    assert add1.details["next_step_cost"] > 100 or add1.details.get("next_step_cost") is None
    check_explanations(election, add1)
    check_explanations(election, count(election, "mes-add1-greedy"))
    exhaustive = count(election, "mes-add1", stop="exhaustive")
    assert exhaustive.details["steps"] <= add1.details["steps"]


def test_add1_stops_when_everything_is_bought() -> None:
    election = Election.build({"a": 1, "b": 1}, 10, [["a"], ["b"], []])
    outcome = count(election, "mes-add1")
    assert sorted(outcome.selected) == ["a", "b"]
    assert outcome.details["steps"] == 0


def test_add1_comparison_keeps_greedy_when_more_voters_prefer_it() -> None:
    # MES gives each half of the voters something; greedy gives the majority one big project.
    ballots = [["big"]] * 3 + [["s1"]] * 2
    election = Election.build({"big": 100, "s1": 40}, 100, ballots)
    mes = count(election, "mes-add1")
    compared = count(election, "mes-add1-comparison")
    greedy = count(election, "greedy")
    assert ids(greedy) == ["big"]
    assert compared.details["comparison"]["prefer_greedy"] == 3
    if compared.details["kept"] == "greedy":
        assert ids(compared) == ids(greedy)
    else:
        assert ids(compared) == ids(mes)
    assert compared.details["comparison"]["prefer_mes"] < 3 or compared.details["kept"] == "mes"


def test_edge_cases() -> None:
    nobody = Election.build({"a": 1}, 10, [])
    for rule in ("greedy", "mes", "mes-add1", "phragmen", "mes-greedy"):
        outcome = count(nobody, rule)
        check_explanations(nobody, outcome)
    assert ids(count(nobody, "greedy")) == ["a"]  # no votes, but it fits (as pabutools)
    assert ids(count(nobody, "mes")) == []
    broke = Election.build({"a": 1, "b": 0}, 0, [["a", "b"], []])
    assert ids(count(broke, "greedy")) == ["b"]
    assert ids(count(broke, "mes")) == []
    assert ids(count(broke, "mes", utility="cardinality")) == ["b"]
    assert count(broke, "mes").explanation("b").status is Status.NOT_REACHED
    too_big = Election.build({"a": 11, "b": 5}, 10, [["a"], ["a"], ["b"]])
    assert ids(count(too_big, "phragmen")) == ["b"]
    assert ids(count(too_big, "mes-add1")) == ["b"]
    nobody_likes = Election.build({"a": 5, "b": 5}, 10, [["a"]])
    record = count(nobody_likes, "mes").explanation("b")
    assert record.status is Status.NO_SUPPORT


def test_majority_judgment() -> None:
    grades = [
        {"a": 3, "b": 2, "c": 1},
        {"a": 0, "b": 2, "c": 1},
        {"a": 3, "b": 1, "c": 3},
        {"a": 2, "b": 2},  # c missing: the lowest grade, 0
        {"a": 1, "b": 3, "c": 2},
    ]
    election = Election.build(
        {"a": 40, "b": 40, "c": 30}, 80, grades, vote_type="scoring", meta={"min_points": "0"}
    )
    outcome = count(election, "majority-judgment")
    # Medians: a {0,1,2,3,3} -> 2; b {1,2,2,2,3} -> 2; c {0,1,1,2,3} -> 1.
    # a vs b: remove a median 2 -> a {0,1,3,3} lower median 1; b {1,2,2,3} -> 2: b first.
    assert ids(outcome) == ["b", "a"]
    assert outcome.explanation("c").status is Status.OVER_BUDGET
    assert outcome.explanation("b").rank == 1
    assert outcome.explanation("a").score == 2
    with pytest.raises(BudgetingError, match="does not count approval"):
        count(Election.build({"a": 1}, 1, [["a"]]), "majority-judgment")


def test_points_ballots_use_points_for_greedy() -> None:
    election = Election.build(
        {"a": 5, "b": 5}, 5, [{"a": 1, "b": 4}, {"a": 2}], vote_type="cumulative"
    )
    assert ids(count(election, "greedy")) == ["b"]  # 4 points against 3
    assert ids(count(election, "mes", utility="cardinality")) == ["a"]  # 2 supporters each


def test_options_and_rules_are_checked() -> None:
    election = Election.build({"a": 1}, 1, [["a"]])
    with pytest.raises(BudgetingError, match="unknown rule"):
        count(election, "lottery")
    with pytest.raises(BudgetingError, match="has no option colour"):
        count(election, "greedy", colour="red")
    with pytest.raises(BudgetingError, match="not one of"):
        count(election, "greedy", tie_breaking="random")
    with pytest.raises(BudgetingError, match="not a valid Fraction"):
        count(election, "mes-add1", increment="one")
    with pytest.raises(BudgetingError, match="needs a threshold"):
        count(election, "greedy-threshold")
    with pytest.raises(BudgetingError, match="positive"):
        count(election, "mes-add1", increment=0)
    assert get_rule("equalshares/add1").name == "mes-add1"
    assert get_rule("EqualShares").name == "mes"
    assert set(RULES) >= {"greedy", "greedy-threshold", "mes", "mes-add1", "phragmen"}


# -- exactness: a reference MES with Fractions, by the definition ------------------------------


def reference_mes(
    costs: dict[str, int], budget: int, ballots: Sequence[Sequence[str]], share: Fraction
) -> list[str]:
    """MES with cost utility, one Fraction per voter, no shortcut (ties: smaller id)."""
    money = [share] * len(ballots)
    supporters = {p: [i for i, b in enumerate(ballots) if p in b] for p in costs}
    remaining = {p for p in costs if costs[p] > 0 and supporters[p]}
    chosen: list[str] = []
    while True:
        best: tuple[Fraction, str] | None = None
        for p in sorted(remaining):
            c = costs[p]
            if sum(money[i] for i in supporters[p]) < c:
                continue
            budgets = sorted(money[i] for i in supporters[p])
            paid, rich = Fraction(0), len(budgets)
            for b in budgets:
                q = (c - paid) / rich
                if b >= q:
                    break
                paid += b
                rich -= 1
            rho = q / c
            if best is None or rho < best[0]:
                best = (rho, p)
        if best is None:
            return chosen
        rho, p = best
        for i in supporters[p]:
            money[i] -= min(money[i], rho * costs[p])
        chosen.append(p)
        remaining.discard(p)


def random_election(seed: int) -> tuple[dict[str, int], int, list[list[str]]]:
    rng = random.Random(seed)
    m = rng.randint(1, 7)
    scale = rng.choice([1, 10**6, 10**15])
    costs = {f"p{i}": rng.choice([1, 2, 3, 5, 7, rng.randint(1, 40)]) * scale for i in range(m)}
    budget = rng.randint(1, sum(costs.values()))
    voters = rng.randint(1, 15)
    shared = [[p for p in costs if rng.random() < 0.5] for _ in range(3)]
    ballots = [
        list(rng.choice(shared)) if rng.random() < 0.6 else [p for p in costs if rng.random() < 0.4]
        for _ in range(voters)
    ]
    return costs, budget, ballots


@pytest.mark.parametrize("seed", range(150))
def test_mes_equals_the_exact_reference(seed: int) -> None:
    costs, budget, ballots = random_election(seed)
    election = Election.build(costs, budget, ballots)
    share = Fraction(budget, len(ballots))
    assert ids(count(election, "mes")) == reference_mes(costs, budget, ballots, share)
    add1 = count(election, "mes-add1", increment=Fraction(budget, 7))
    step = Fraction(budget, 7)
    previous = reference_mes(costs, budget, ballots, share)
    k = 1
    while True:
        current = reference_mes(costs, budget, ballots, share + k * step)
        if sum(costs[p] for p in current) > budget or k > 200:
            break
        previous = current
        if set(current) == {p for p in costs if any(p in b for b in ballots)}:
            break
        k += 1
    assert sorted(add1.selected) == sorted(previous)


def test_near_ties_are_decided_exactly() -> None:
    # Prices that differ by about 1e-20 in relative terms: floats cannot tell them apart.
    big = 10**20
    costs = {"a": big + 1, "b": big}
    ballots = [["a", "b"], ["a"], ["b"]]
    election = Election.build(costs, 2 * big, ballots)
    share = Fraction(2 * big, 3)
    expected = reference_mes(costs, 2 * big, ballots, share)
    assert ids(count(election, "mes")) == expected
    equal = Election.build({"a": big, "b": big}, 2 * big, ballots)
    assert ids(count(equal, "mes"))[0] == "a"  # a true tie, broken by id
