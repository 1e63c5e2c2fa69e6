"""Read and write the Pabulib `.pb` format (https://pabulib.org/format).

A `.pb` file is UTF-8 text in three `;`-separated sections, each a title line (`META`,
`PROJECTS`, `VOTES`) then a header line then rows. Fields follow CSV quoting (a field holding
`;` or `"` is quoted) and are stripped of surrounding spaces; `None` stands for a missing value.
META rows are `key;value` (`budget` and `vote_type` are required); PROJECTS rows need
`project_id` and `cost`; VOTES rows need `voter_id` and `vote` (a comma-separated list of
project ids), plus `points` (aligned with `vote`) for cumulative and scoring ballots.

The reader is strict where a mistake would change a count (an unknown project in a ballot, a
bad cost, points that do not match the projects, a row with too many fields) and says where:
every `PabulibError` carries the line number. It is lenient where pabutools is: blank lines,
a UTF-8 byte-order mark, CRLF line ends, decimal commas in amounts, a project approved twice
in one approval ballot (counted once).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import IO

import numpy as np

from parvis.participation.budgeting.model import (
    BudgetingError,
    Election,
    Project,
    VoteType,
    money_str,
)

SECTIONS = ("meta", "projects", "votes")
_VOTE_TYPES = {str(v): v for v in VoteType}


class PabulibError(BudgetingError):
    """A malformed `.pb` file; `line` is the 1-based line where the problem is."""

    def __init__(self, message: str, line: int | None = None, source: str | None = None):
        self.line = line
        self.source = source
        where = ""
        if source:
            where = f"{source}:"
        if line is not None:
            where += f"{line}: " if source else f"line {line}: "
        elif source:
            where += " "
        super().__init__(f"{where}{message}")
        self.message = message


def read_pb(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> Election:
    """Parse a `.pb` file given as a path or an open file (text or binary)."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise PabulibError(
                f"cannot read the file: {error.strerror}", source=str(path)
            ) from None
        return loads_pb(data, source=str(path))
    content = source.read()
    return loads_pb(content, source=getattr(source, "name", None))


def loads_pb(content: str | bytes, *, source: str | None = None) -> Election:
    """Parse the text (or UTF-8 bytes) of a `.pb` file."""
    if isinstance(content, bytes):
        raw: bytes = content
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise PabulibError("not valid UTF-8", line, source) from None
    else:
        text = content[1:] if content.startswith("\ufeff") else content
    return _Parser(text, source).parse()


class _Parser:
    def __init__(self, text: str, source: str | None) -> None:
        self.text = text
        self.source = source
        self.line = 0

    def error(self, message: str, line: int | None = None) -> PabulibError:
        return PabulibError(message, self.line if line is None else line, self.source)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, stripped fields) for each non-blank record."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=";", strict=True)
        end = 0
        while True:
            start = end + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise self.error(f"bad CSV quoting ({error})", reader.line_num) from None
            end = reader.line_num
            fields = [f.strip() for f in row]
            if not fields or (len(fields) == 1 and not fields[0]):
                continue
            self.line = start
            yield start, fields

    def parse(self) -> Election:
        meta: dict[str, str] = {}
        projects: list[Project] = []
        index: dict[str, int] = {}
        ptr = [0]
        flat: list[int] = []
        points: list[Fraction] = []
        voter_ids: list[str] = []
        voter_meta: dict[str, list[str]] = {}
        section = ""
        seen: list[str] = []
        header: list[str] | None = None
        vote_type = VoteType.APPROVAL
        col_vote = col_points = col_id = -1
        extra: list[tuple[int, str]] = []
        points_cache: dict[str, Fraction] = {}

        for _, fields in self.rows():
            title = fields[0].lower() if len(fields) == 1 or not any(fields[1:]) else ""
            if title in SECTIONS:
                if title in seen:
                    raise self.error(f"second {title.upper()} section")
                expected = SECTIONS[len(seen)]
                if title != expected:
                    raise self.error(
                        f"{title.upper()} section where {expected.upper()} was expected "
                        "(the sections are META, PROJECTS, VOTES, in this order)"
                    )
                seen.append(title)
                section = title
                header = None
                continue
            if not section:
                raise self.error("the file must start with a META section")
            if header is None:
                header = self._header(fields, section)
                if section == "votes":
                    vote_type = self._vote_type(meta)
                    col_id = header.index("voter_id")
                    col_vote = header.index("vote")
                    if vote_type.has_points:
                        if "points" not in header:
                            raise self.error(f"{vote_type} ballots need a 'points' column")
                        col_points = header.index("points")
                    extra = [
                        (i, h)
                        for i, h in enumerate(header)
                        if i not in (col_id, col_vote, col_points)
                    ]
                    voter_meta = {h: [] for _, h in extra}
                continue
            if len(fields) > len(header):
                raise self.error(f"{len(fields)} fields, but the header has {len(header)}")
            if len(fields) < len(header):
                fields += [""] * (len(header) - len(fields))
            if section == "meta":
                key, value = fields[0], fields[1]
                if not key:
                    raise self.error("empty META key")
                if key in meta:
                    raise self.error(f"META key {key!r} given twice")
                meta[key] = value
            elif section == "projects":
                project = self._project(header, fields)
                if project.id in index:
                    raise self.error(f"project {project.id!r} listed twice")
                index[project.id] = len(projects)
                projects.append(project)
            else:
                voter_ids.append(fields[col_id])
                vote = fields[col_vote]
                start = len(flat)
                if vote and vote.lower() != "none":
                    names = vote.split(",")
                    for name in names:
                        name = name.strip()
                        if not name:
                            continue
                        try:
                            flat.append(index[name])
                        except KeyError:
                            raise self.error(
                                f"the ballot names project {name!r}, which is not in PROJECTS"
                            ) from None
                if vote_type.has_points:
                    raw = fields[col_points]
                    values = (
                        [v.strip() for v in raw.split(",") if v.strip()]
                        if raw and raw.lower() != "none"
                        else []
                    )
                    if len(values) != len(flat) - start:
                        raise self.error(
                            f"{len(flat) - start} projects in 'vote' but {len(values)} "
                            "values in 'points'"
                        )
                    for value in values:
                        amount = points_cache.get(value)
                        if amount is None:
                            amount = points_cache[value] = self._number(value, "points")
                        points.append(amount)
                if len(flat) - start > 1 and len(set(flat[start:])) != len(flat) - start:
                    if vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_ONE):
                        unique = list(dict.fromkeys(flat[start:]))
                        del flat[start:]
                        flat.extend(unique)
                    else:
                        raise self.error("the ballot lists a project twice")
                ptr.append(len(flat))
                for i, h in extra:
                    voter_meta[h].append(fields[i])

        for title in SECTIONS:
            if title not in seen:
                raise self.error(f"no {title.upper()} section", self.line or 1)
        if header is None:
            raise self.error("the VOTES section has no header line", self.line)
        if "budget" not in meta:
            raise self.error("META has no 'budget'", 1)
        try:
            budget = Fraction(meta["budget"].replace(",", "."))
        except (ValueError, ZeroDivisionError):
            raise self.error(f"META budget is not a number: {meta['budget']!r}", 1) from None
        try:
            return Election(
                projects=tuple(projects),
                budget=budget,
                vote_type=vote_type,
                ballot_ptr=np.asarray(ptr, dtype=np.int64),
                ballot_projects=np.asarray(flat, dtype=np.int64),
                ballot_points=tuple(points) if vote_type.has_points else None,
                meta=meta,
                voter_ids=tuple(voter_ids),
                voter_meta={k: tuple(v) for k, v in voter_meta.items()},
            )
        except BudgetingError as error:
            raise self.error(str(error), None) from None

    def _header(self, fields: list[str], section: str) -> list[str]:
        if any(not f for f in fields):
            raise self.error(f"empty column name in the {section.upper()} header")
        if len(set(fields)) != len(fields):
            raise self.error(f"a column appears twice in the {section.upper()} header")
        required = {
            "meta": ("key", "value"),
            "projects": ("project_id", "cost"),
            "votes": ("voter_id", "vote"),
        }[section]
        if section == "meta":
            if [f.lower() for f in fields] != ["key", "value"]:
                raise self.error("the META header must be 'key;value'")
            return fields
        for column in required:
            if column not in fields:
                raise self.error(f"the {section.upper()} header has no {column!r} column")
        return fields

    def _vote_type(self, meta: dict[str, str]) -> VoteType:
        raw = meta.get("vote_type", "approval").strip().lower()
        try:
            return _VOTE_TYPES[raw]
        except KeyError:
            known = ", ".join(_VOTE_TYPES)
            raise self.error(f"unknown vote_type {raw!r} (known: {known})") from None

    def _number(self, value: str, what: str) -> Fraction:
        try:
            return Fraction(value.replace(",", "."))
        except (ValueError, ZeroDivisionError):
            raise self.error(f"{what} is not a number: {value!r}") from None

    def _project(self, header: list[str], fields: list[str]) -> Project:
        pid = fields[0] if header[0] == "project_id" else fields[header.index("project_id")]
        if not pid:
            raise self.error("empty project_id")
        if "," in pid:
            raise self.error(f"project_id {pid!r} contains a comma")
        raw_cost = fields[header.index("cost")]
        if not raw_cost:
            raise self.error(f"project {pid!r} has no cost")
        cost = self._number(raw_cost, "cost")
        if cost < 0:
            raise self.error(f"project {pid!r} has a negative cost")
        meta = {
            h: v
            for h, v in zip(header, fields, strict=True)
            if h not in ("project_id", "cost") and v and v.lower() != "none"
        }
        return Project(pid, cost, meta)


def dumps_pb(election: Election) -> str:
    """The text of a `.pb` file for `election` (num_projects and num_votes are refreshed)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(election.n_voters)
    meta["budget"] = (
        meta["budget"]
        if _same_amount(meta.get("budget"), election.budget)
        else money_str(election.budget)
    )
    meta["vote_type"] = str(election.vote_type)
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])
    columns: dict[str, None] = {}
    for project in election.projects:
        columns.update(dict.fromkeys(project.meta))
    out.write("PROJECTS\n")
    writer.writerow(["project_id", "cost", *columns])
    for project in election.projects:
        writer.writerow(
            [project.id, money_str(project.cost), *(project.meta.get(c, "") for c in columns)]
        )
    out.write("VOTES\n")
    with_points = election.ballot_points is not None
    extra = list(election.voter_meta)
    writer.writerow(["voter_id", "vote", *(["points"] if with_points else []), *extra])
    ids = [p.id for p in election.projects]
    ptr = election.ballot_ptr.tolist()
    flat = election.ballot_projects.tolist()
    voter_ids = election.voter_ids or tuple(str(v + 1) for v in range(election.n_voters))
    for v in range(election.n_voters):
        lo, hi = ptr[v], ptr[v + 1]
        row = [voter_ids[v], ",".join(ids[i] for i in flat[lo:hi])]
        if with_points:
            assert election.ballot_points is not None
            row.append(",".join(money_str(x) for x in election.ballot_points[lo:hi]))
        row.extend(election.voter_meta[c][v] for c in extra)
        writer.writerow(row)
    return out.getvalue()


def write_pb(election: Election, destination: str | os.PathLike[str] | IO[str]) -> None:
    """Write `election` as a `.pb` file (UTF-8, `\\n` line ends)."""
    text = dumps_pb(election)
    if isinstance(destination, str | os.PathLike):
        Path(destination).write_text(text, encoding="utf-8", newline="")
    else:
        destination.write(text)


def _same_amount(raw: str | None, value: Fraction) -> bool:
    if raw is None:
        return False
    try:
        return Fraction(raw.replace(",", ".")) == value
    except (ValueError, ZeroDivisionError):
        return False
