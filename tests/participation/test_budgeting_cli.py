"""`parvis budget`: the counting commands, through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from parvis.cli import app
from tests.participation.budgeting_helpers import ASSEN, WIELICZKA, outcomes, path_of

runner = CliRunner()


def test_rules_lists_every_rule() -> None:
    result = runner.invoke(app, ["budget", "rules"])
    assert result.exit_code == 0, result.output
    for name in ("greedy", "greedy-threshold", "mes-add1", "phragmen", "majority-judgment"):
        assert name in result.output
    as_json = runner.invoke(app, ["budget", "rules", "--json"])
    data = json.loads(as_json.stdout)
    mes = next(rule for rule in data if rule["name"] == "mes")
    assert mes["options"]["completion"]["default"] == "none"
    assert "equalshares" in mes["aliases"]


def test_count_json_is_one_line() -> None:
    result = runner.invoke(
        app, ["budget", "count", str(path_of(ASSEN)), "--rule", "mes-add1", "--json"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == {"selected", "rule", "seconds"}
    assert sorted(data["selected"]) == sorted(outcomes(ASSEN)["official_selected"])
    assert data["rule"] == "mes-add1"
    assert data["seconds"] >= 0


def test_count_uses_the_files_rule_and_explains() -> None:
    result = runner.invoke(app, ["budget", "count", str(path_of(WIELICZKA)), "--explain"])
    assert result.exit_code == 0, result.output
    assert "mes-add1-comparison" in result.output
    assert "30 projects selected" in result.output
    assert "Why each project won or lost" in result.output
    assert "unaffordable" in result.output
    explained = runner.invoke(
        app,
        ["budget", "count", str(path_of(ASSEN)), "-r", "greedy", "--json", "--explain"],
    )
    data = json.loads(explained.stdout)
    assert len(data["explanations"]) == 14
    assert {e["status"] for e in data["explanations"]} == {"selected", "over-budget"}


def test_count_with_options(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "budget", "count", str(path_of(ASSEN)), "--rule", "greedy-threshold",
            "-o", "threshold=24", "-o", "tie-breaking=min-cost", "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)["selected"]) == ["11", "2", "3", "8", "9"]


def test_count_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;x\n")
    result = runner.invoke(app, ["budget", "count", str(bad), "--rule", "greedy"])
    assert result.exit_code == 2
    assert "bad.pb:6: cost is not a number" in result.output
    unknown = runner.invoke(app, ["budget", "count", str(path_of(ASSEN)), "--rule", "lottery"])
    assert unknown.exit_code == 2
    assert "unknown rule 'lottery'" in unknown.output
    option = runner.invoke(app, ["budget", "count", str(path_of(ASSEN)), "-r", "mes", "-o", "x"])
    assert option.exit_code == 2
    assert "NAME=VALUE" in option.output
    no_rule = tmp_path / "norule.pb"
    no_rule.write_text(
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv;1\n"
    )
    missing = runner.invoke(app, ["budget", "count", str(no_rule)])
    assert missing.exit_code == 2
    assert "give --rule" in missing.output
    ok = runner.invoke(app, ["budget", "count", str(no_rule), "--rule", "greedy", "--json"])
    assert json.loads(ok.stdout)["selected"] == ["1"]
