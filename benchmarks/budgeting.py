"""Participatory-budgeting counts, side by side with pabutools, in one process.

    python benchmarks/budgeting.py [--data DIR] [--time-limit 600] [--repeat 5] [--quick]

Runs our counting core (`parvis.participation.budgeting`) and pabutools (the `oracle` extra,
GPL-3.0, used here only as a yardstick) on the same real instances with the same rules:

- the Method of Equal Shares (cost satisfaction) with add1 completion, the official recipe of
  Wieliczka 2023 and Assen 2024 (`exhaustion_by_budget_increase(..., budget_step=n,
  exhaustive_stop=False)` in pabutools), on Wieliczka 2023 and Łódź 2022;
- greedy by votes (pabutools: `greedy_utilitarian_welfare` with `Cost_Sat`) on all six files.

pabutools runs with its exact fractions (gmpy2, its default) and with floats, on the
multiprofile (identical ballots merged beforehand, not timed: its fastest setting). Each
pabutools run has a time limit (SIGALRM, same process); one that does not finish is reported
as "> N s". Our time is the best of `--repeat` counts on a freshly parsed election (nothing
cached), explanations included. Parsing is timed apart for both. When pabutools does not
finish the add1 recipe, its MES is run at our final per-voter share and at the next step
(one MES run each) to check that it selects the same projects and then overspends.

It prints one table and writes benchmarks/results/budgeting.json. Outcomes must be identical
(and equal to the official ones where the file has them): the script exits with status 1
otherwise. Another benchmark may load this machine: the load average is recorded; re-run if
the timings look noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parvis.participation.budgeting import Election, count, read_pb  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "budgeting.json"
DATA = ROOT.parent / "shared" / "data" / "participation"
FILES = {
    "Assen 2024": "Netherlands_Assen_2024.pb",
    "Wieliczka 2023": "Poland_Wieliczka_2023_Green_Budget.pb",
    "Toulouse 2024": "France_Toulouse_2024.pb",
    "Amsterdam 621": "Netherlands_Amsterdam_621.pb",
    "Warszawa 2026": "Poland_Warszawa_2026.pb",
    "Łódź 2022": "Poland_Lodz_2022.pb",
}
CASES = [
    ("Wieliczka 2023", "mes-add1"),
    ("Łódź 2022", "mes-add1"),
    *((name, "greedy") for name in FILES),
]


class TimeLimitExceeded(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class PabuRun:
    mode: str
    seconds: float | None  # None: did not finish within the limit
    limit: float
    selected: list[str] | None
    parse_seconds: float
    note: str = ""


@dataclass
class Row:
    instance: str
    rule: str
    voters: int
    projects: int
    ours_seconds: float
    ours_runs: list[float]
    ours_parse_seconds: float
    selected: list[str]
    official: list[str] | None
    matches_official: bool | None
    pabutools: dict[str, PabuRun] = field(default_factory=dict)
    identical: dict[str, str] = field(default_factory=dict)
    speedup: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def fresh(election: Election) -> Election:
    """A copy without any cached view, so that a count pays for everything it needs."""
    return replace(election)


def ours(path: Path, rule: str, repeat: int) -> tuple[Election, float, list[float], Any]:
    start = time.perf_counter()
    election = read_pb(path)
    parse = time.perf_counter() - start
    runs = []
    outcome = None
    for _ in range(repeat):
        copy = fresh(election)
        start = time.perf_counter()
        outcome = count(copy, rule)
        runs.append(time.perf_counter() - start)
    assert outcome is not None
    return election, parse, runs, outcome


CONFIGS = {
    # name: (number type, merge identical ballots)
    "exact": ("gmpy2", True),
    "float": ("float", True),
    "exact-full": ("gmpy2", False),  # its default setting: one ballot object per voter
}


def pabutools_run(path: Path, rule: str, config: str, limit: float) -> PabuRun:
    import pabutools.fractions
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    mode, merge = CONFIGS[config]
    pabutools.fractions.FRACTION = mode
    start = time.perf_counter()
    instance, profile = parse_pabulib(str(path))
    parse = time.perf_counter() - start
    multiprofile = profile.as_multiprofile() if merge else profile
    call: Callable[[], Any]
    if rule == "greedy":

        def call() -> Any:
            return greedy_utilitarian_welfare(instance, multiprofile, sat_class=Cost_Sat)

    else:

        def call() -> Any:
            return exhaustion_by_budget_increase(
                instance,
                multiprofile,
                method_of_equal_shares,
                {"sat_class": Cost_Sat},
                budget_step=profile.num_ballots(),
                exhaustive_stop=False,
            )

    start = time.perf_counter()
    try:
        with time_limit(limit):
            result = call()
    except TimeLimitExceeded:
        return PabuRun(config, None, limit, None, parse)
    return PabuRun(
        config, time.perf_counter() - start, limit, sorted(p.name for p in result), parse
    )


def pabutools_mes_at(path: Path, mode: str, share: Fraction, limit: float) -> list[str] | None:
    """pabutools' MES with a given per-voter share (budget_limit = share x voters)."""
    import pabutools.fractions
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares

    pabutools.fractions.FRACTION = mode
    instance, profile = parse_pabulib(str(path))
    multiprofile = profile.as_multiprofile()
    instance.budget_limit = share * profile.num_ballots()
    if mode == "gmpy2":
        from gmpy2 import mpq

        instance.budget_limit = mpq(
            instance.budget_limit.numerator, instance.budget_limit.denominator
        )
    else:
        instance.budget_limit = float(instance.budget_limit)
    try:
        with time_limit(limit):
            result = method_of_equal_shares(instance, multiprofile, sat_class=Cost_Sat)
    except TimeLimitExceeded:
        return None
    return sorted(p.name for p in result)


def fmt_seconds(seconds: float | None, limit: float | None = None) -> str:
    if seconds is None:
        return f"> {limit:.0f} s"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the .pb files")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds per pabutools run")
    parser.add_argument("--repeat", type=int, default=5, help="our counts per case (best kept)")
    parser.add_argument(
        "--configs",
        default="exact,float,exact-full",
        help="pabutools settings: exact, float (both on merged ballots), exact-full (its "
        "default: one ballot per voter; run for MES add1 only)",
    )
    parser.add_argument("--quick", action="store_true", help="time limit 60 s, float only")
    parser.add_argument("--no-pabutools", action="store_true", help="time our counts only")
    args = parser.parse_args()
    configs = ["float"] if args.quick else [c.strip() for c in args.configs.split(",") if c]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configs: {unknown}")
    limit = 60.0 if args.quick else args.time_limit
    if not args.no_pabutools:
        try:
            import pabutools  # noqa: F401
        except ImportError:
            print("pabutools is not installed: pip install -e '.[oracle]'", file=sys.stderr)
            return 2
    outcomes_path = args.data / "outcomes.json"
    recorded = json.loads(outcomes_path.read_text()) if outcomes_path.exists() else {}
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    rows: list[Row] = []
    failures: list[str] = []
    for instance, rule in CASES:
        path = args.data / FILES[instance]
        election, parse, runs, outcome = ours(path, rule, args.repeat)
        official = (recorded.get(FILES[instance]) or {}).get("official_selected")
        selected = sorted(outcome.selected)
        reproduces = {("Wieliczka 2023", "mes-add1"), ("Łódź 2022", "greedy")}
        expected_official = official if (instance, rule) in reproduces else None
        row = Row(
            instance=instance,
            rule=rule,
            voters=election.n_voters,
            projects=len(election.projects),
            ours_seconds=min(runs),
            ours_runs=runs,
            ours_parse_seconds=parse,
            selected=selected,
            official=expected_official,
            matches_official=None if expected_official is None else selected == sorted(official),
            details={k: str(v) for k, v in outcome.details.items() if k in ("steps", "share")},
        )
        if row.matches_official is False:
            failures.append(f"{instance} {rule}: differs from the official outcome")
        print(f"{instance:15s} {rule:9s} ours {fmt_seconds(row.ours_seconds)}", flush=True)
        if not args.no_pabutools:
            for mode in configs:
                if mode == "exact-full" and rule != "mes-add1":
                    continue
                run = pabutools_run(path, rule, mode, limit)
                row.pabutools[mode] = run
                if run.selected is not None:
                    same = run.selected == selected
                    row.identical[mode] = "yes" if same else "NO"
                    if not same:
                        failures.append(f"{instance} {rule}: pabutools ({mode}) differs")
                    row.speedup[mode] = f"{run.seconds / row.ours_seconds:,.0f}x"  # type: ignore[operator]
                else:
                    row.speedup[mode] = f"> {limit / row.ours_seconds:,.0f}x"
                    if rule == "mes-add1":
                        share = Fraction(outcome.details["share"])
                        number = CONFIGS[mode][0]
                        at_share = pabutools_mes_at(path, number, share, limit)
                        after = pabutools_mes_at(path, number, share + 1, limit)
                        costs = {p.id: p.cost for p in election.projects}
                        if at_share is None or after is None:
                            row.identical[mode] = "not checked (time limit)"
                        else:
                            same = (
                                at_share == selected
                                and sum((costs[p] for p in after), Fraction(0)) > election.budget
                            )
                            row.identical[mode] = (
                                "yes (final and next step)" if same else "NO (final step)"
                            )
                            run.note = "MES at our final share and the next step checked"
                            if not same:
                                failures.append(f"{instance} {rule}: pabutools ({mode}) differs")
                    else:
                        row.identical[mode] = "not checked (time limit)"
                print(
                    f"{'':15s} {'':9s} pabutools {mode:20s} {fmt_seconds(run.seconds, limit)} "
                    f"identical: {row.identical[mode]}",
                    flush=True,
                )
        rows.append(row)
    load_after = os.getloadavg()

    header = ["instance", "rule", "voters", "ours"]
    shown = [] if args.no_pabutools else configs
    for mode in shown:
        header += [f"pabutools {mode}", "speed-up", "identical"]
    header.append("official")
    table = [header]
    for row in rows:
        line = [row.instance, row.rule, f"{row.voters:,}", fmt_seconds(row.ours_seconds)]
        for mode in shown:
            run = row.pabutools.get(mode)
            if run is None:
                line += ["-", "-", "-"]
            else:
                line += [
                    fmt_seconds(run.seconds, run.limit),
                    row.speedup[mode],
                    row.identical[mode],
                ]
        line.append({None: "-", True: "matches", False: "DIFFERS"}[row.matches_official])
        table.append(line)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    for i, line in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print(f"\nload average: {load_before[0]:.2f} before, {load_after[0]:.2f} after")

    try:
        from importlib.metadata import version

        pabu_version = version("pabutools")
    except Exception:
        pabu_version = None
    import numpy

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "started": started.isoformat(timespec="seconds"),
                "machine": {
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "load_average_before": load_before,
                    "load_average_after": load_after,
                },
                "versions": {"numpy": numpy.__version__, "pabutools": pabu_version},
                "time_limit": limit,
                "repeat": args.repeat,
                "rows": [asdict(r) for r in rows],
                "failures": failures,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    if failures:
        print("\nFAILURES:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
