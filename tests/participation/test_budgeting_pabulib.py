"""The Pabulib `.pb` reader and writer: real files, vote types, round trips, malformed files."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from parvis.participation.budgeting import (
    BudgetingError,
    Election,
    PabulibError,
    VoteType,
    dumps_pb,
    loads_pb,
    read_pb,
    write_pb,
)
from tests.participation.budgeting_helpers import (
    ALL_FILES,
    ASSEN,
    LODZ,
    SHIPPED,
    WARSZAWA,
    load,
    path_of,
)

SMALL = """META
key;value
description;A small test
budget;1000
vote_type;approval
PROJECTS
project_id;cost;name;votes
1;600;"Square; with a semicolon";3
2;400;Bike lane;2
10;250,5;"Trees ""for"" all";1
VOTES
voter_id;vote;age
a;1,2;34
b;1;51
c;1,10,2;23
d;;40
"""


def same(a: Election, b: Election) -> None:
    """Two elections hold the same data (everything a .pb file can say)."""
    assert a.projects == b.projects
    assert a.budget == b.budget
    assert a.vote_type == b.vote_type
    assert np.array_equal(a.ballot_ptr, b.ballot_ptr)
    assert np.array_equal(a.ballot_projects, b.ballot_projects)
    assert a.ballot_points == b.ballot_points
    assert a.voter_ids == b.voter_ids
    assert dict(a.voter_meta) == dict(b.voter_meta)
    assert {k: v for k, v in a.meta.items() if not k.startswith("num_")} == {
        k: v for k, v in b.meta.items() if not k.startswith("num_")
    }


def test_small_file_with_quotes_decimal_comma_and_empty_ballot() -> None:
    election = loads_pb(SMALL)
    assert [p.id for p in election.projects] == ["1", "2", "10"]
    assert election.projects[0].name == "Square; with a semicolon"
    assert election.projects[2].name == 'Trees "for" all'
    assert election.projects[2].cost == Fraction("250.5")
    assert election.budget == 1000
    assert election.n_voters == 4
    assert election.ballot(2) == ["1", "10", "2"]
    assert election.ballot(3) == []
    assert election.voter_meta["age"] == ("34", "51", "23", "40")
    assert election.approvals == (3, 2, 1)
    view = election.approval_view
    assert view.n_voters == 4
    assert view.n_ballots == 4  # "a" and "c" differ, "d" is the empty ballot
    assert int(view.weight.sum()) == 4


def test_bom_crlf_blank_lines_and_spaces_are_tolerated() -> None:
    text = "\ufeff" + SMALL.replace("\n", "\r\n").replace("PROJECTS", "\r\nPROJECTS")
    text = text.replace("2;400;Bike lane;2", " 2 ; 400 ; Bike lane ; 2 ")
    election = loads_pb(text.encode("utf-8"))
    assert [p.id for p in election.projects] == ["1", "2", "10"]
    assert election.projects[1].cost == 400
    assert election.projects[1].name == "Bike lane"


def test_a_project_approved_twice_counts_once() -> None:
    election = loads_pb(SMALL.replace("b;1;51", "b;1,1,2,1;51"))
    assert election.ballot(1) == ["1", "2"]


@pytest.mark.parametrize("name", ALL_FILES)
def test_real_files_parse_and_agree_with_their_vote_counts(name: str) -> None:
    election = load(name)
    assert election.vote_type is VoteType.APPROVAL
    assert len(election.projects) == int(election.meta["num_projects"])
    assert election.n_voters == int(election.meta["num_votes"])
    assert election.budget == Fraction(election.meta["budget"])
    for project, approvals in zip(election.projects, election.approvals, strict=True):
        if "votes" in project.meta:
            assert approvals == int(project.meta["votes"]), project.id
    view = election.approval_view
    assert int(view.weight.sum()) == election.n_voters
    assert np.array_equal(view.approvals, np.asarray(election.approvals))


def test_lodz_merges_identical_ballots() -> None:
    election = load(LODZ)
    assert election.n_voters == 90_494
    assert election.approval_view.n_ballots == 23_571


@pytest.mark.parametrize("name", SHIPPED)
def test_round_trip_of_real_files(name: str, tmp_path: Path) -> None:
    election = read_pb(path_of(name))
    target = tmp_path / "copy.pb"
    write_pb(election, target)
    again = read_pb(target)
    same(election, again)
    assert dumps_pb(again) == target.read_text(encoding="utf-8")


def test_round_trip_keeps_voter_columns_of_a_large_file(tmp_path: Path) -> None:
    election = load(WARSZAWA)
    buffer = io.StringIO()
    write_pb(election, buffer)
    again = loads_pb(buffer.getvalue())
    same(election, again)
    assert set(again.voter_meta) == {"age", "sex", "voting_method", "neighborhood"}


def test_round_trip_of_every_vote_type() -> None:
    projects = {"p1": 100, "p2": Fraction("50.25"), "p3": 0}
    cases = [
        (VoteType.APPROVAL, [["p1", "p2"], [], ["p3"]]),
        (VoteType.CHOOSE_ONE, [["p1"], ["p3"]]),
        (VoteType.ORDINAL, [["p3", "p1", "p2"], ["p2"]]),
        (VoteType.CUMULATIVE, [{"p1": 3, "p2": 2}, {"p3": 5}]),
        (VoteType.SCORING, [{"p1": 3, "p2": 0, "p3": Fraction("1.5")}, {}]),
    ]
    for vote_type, ballots in cases:
        election = Election.build(projects, 150, ballots, vote_type=vote_type)
        again = loads_pb(dumps_pb(election))
        same(election, again)
    ordinal = loads_pb(dumps_pb(Election.build(projects, 150, cases[2][1], vote_type="ordinal")))
    assert ordinal.ballot(0) == ["p3", "p1", "p2"]  # ranking order is kept


def test_points_ballots_are_read_with_their_points() -> None:
    text = """META
key;value
budget;10
vote_type;cumulative
PROJECTS
project_id;cost
x;4
y;6
VOTES
voter_id;vote;points
1;x,y;3,7
2;y;10
"""
    election = loads_pb(text)
    assert election.points_of(0) == [3, 7]
    assert election.scores == (Fraction(3), Fraction(17))
    assert election.approvals == (1, 2)


MALFORMED = [
    ("key;value\nbudget;1\n", 1, "must start with a META section"),
    ("META\nkey;value\nbudget;1\nVOTES\n", 4, "VOTES section where PROJECTS was expected"),
    ("META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n",
     1, "no 'budget'"),
    ("META\nkey;value\nbudget;ten\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n",
     1, "budget is not a number"),
    ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;price\n1;5\n", 5, "no 'cost' column"),
    ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n1;6\n", 7, "listed twice"),
    ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;abc\n", 6, "cost is not a number"),
    ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;-5\n", 6, "negative cost"),
    ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5;extra\n", 6, "3 fields"),
    ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv1;1\n"
     "v2;1,7\n", 10, "names project '7'"),
    ("META\nkey;value\nbudget;10\nvote_type;ranked\nPROJECTS\nproject_id;cost\n1;5\nVOTES\n"
     "voter_id;vote\n", 9, "unknown vote_type 'ranked'"),
    ("META\nkey;value\nbudget;10\nvote_type;scoring\nPROJECTS\nproject_id;cost\n1;5\nVOTES\n"
     "voter_id;vote\n", 9, "need a 'points' column"),
    ("META\nkey;value\nbudget;10\nvote_type;scoring\nPROJECTS\nproject_id;cost\n1;5\n2;3\n"
     "VOTES\nvoter_id;vote;points\nv;1,2;4\n", 11, "2 projects in 'vote' but 1 values"),
    ("META\nkey;value\nbudget;10\nvote_type;ordinal\nPROJECTS\nproject_id;cost\n1;5\nVOTES\n"
     "voter_id;vote\nv;1,1\n", 10, "lists a project twice"),
    ('META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n"1;5\n', 6, "bad CSV quoting"),
    ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n", 6, "no VOTES section"),
    ("META\nkey;value\nbudget;10\nbudget;11\n", 4, "given twice"),
    ("META\nkey\n", 2, "must be 'key;value'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_malformed_files_say_what_and_where(text: str, line: int, message: str) -> None:
    with pytest.raises(PabulibError) as caught:
        loads_pb(text, source="bad.pb")
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"bad.pb:{line}: ")


def test_invalid_utf8_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PabulibError, match="line 3: not valid UTF-8"):
        loads_pb(b"META\nkey;value\ndescription;caf\xe9\n")
    with pytest.raises(PabulibError, match="cannot read the file"):
        read_pb(tmp_path / "absent.pb")


def test_build_validates_its_input() -> None:
    with pytest.raises(BudgetingError, match="unknown project"):
        Election.build({"a": 1}, 10, [["b"]])
    with pytest.raises(BudgetingError, match="exact"):
        Election.build({"a": 1.5}, 10, [["a"]])  # type: ignore[dict-item]
    with pytest.raises(BudgetingError, match="map project ids to points"):
        Election.build({"a": 1}, 10, [["a"]], vote_type="scoring")
    election = Election.build({"a": "2,5"}, "10.5", [["a", "a"]])
    assert election.projects[0].cost == Fraction(5, 2)
    assert election.ballot(0) == ["a"]
    assert loads_pb(dumps_pb(election)).budget == Fraction(21, 2)


def test_assen_meta_is_kept() -> None:
    election = load(ASSEN)
    assert election.meta["rule"] == "equalshares/add1"
    assert election.meta["currency"] == "EUR"
    assert election.projects[0].meta["selected"] == "1"
