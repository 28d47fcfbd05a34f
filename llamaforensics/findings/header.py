"""Read a finding kind from its SQL file's header: the one place a kind is declared.

A file in ``llamaforensics/queries`` declares a finding kind when the lines after
its title carry fields. The format, line by line::

    -- stuck_enrichment: albums whose enrichment never finished.
    -- entity: ALBUM
    -- severity: warning
    -- fix: requeue_enrichment
    -- summary: enrichment pending for too long
    -- parameter: stuck_days = 7 (pending this many days after its last update)
    --
    -- What: ...
    -- Why: ...
    -- Fix suggested: ...

The title names the kind (the file's own name) and says what it finds. The fields
run from the second line to the first empty comment line: ``entity`` (ALBUM, or
LOG: a llama_logs row), ``severity`` (critical, warning, info), ``fix`` (the
suggested fix kind, or none), ``summary`` (the health summary's line), optional
``needs`` (a shared preparation the SQL reads: job_chains, pg_text) and any number
of ``parameter`` lines (a named integer the SQL binds as ``$name``, its default and
what it means). The prose after them (What, Why, Fix suggested) is for people: the
report shows it and it becomes the ``find_<kind>`` docstring. A file with no fields
is a helper query, not a kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ENTITIES = ("ALBUM", "LOG")
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
NEEDS = ("job_chains", "pg_text")
REQUIRED = ("entity", "severity", "fix", "summary")
PROSE = ("What", "Why", "Fix suggested")

_FIELD = re.compile(r"^([a-z_]+):\s*(.*)$")
_PARAMETER = re.compile(r"^([a-z_]+) = (\d+) \((.+)\)$")
_NAME = re.compile(r"^[a-z][a-z_]*$")
_SECTION = re.compile(r"^(What|Why|Fix suggested):\s*", re.M)
_BOUND = re.compile(r"\$([a-z_]+)")
# bound for every kind by the runner: the snapshot's own time
RUNNER_PARAMETERS = ("now",)


class HeaderError(ValueError):
    """A query file's header declares a finding kind wrongly: a packaging mistake, not input."""


@dataclass(frozen=True)
class Parameter:
    """A named threshold a kind's SQL binds, with its documented default."""

    name: str
    default: int
    meaning: str


@dataclass(frozen=True)
class Kind:
    """A kind of finding, as its SQL file's header declares it."""

    name: str
    entity_type: str  # ALBUM, or LOG (a llama_logs row)
    severity: str  # critical, warning, info
    fix: str  # the suggested fix kind
    summary: str
    # a shared preparation the kind's SQL reads ("job_chains": _lf_chain_rows,
    # "pg_text": _lf_pg_text, which snapshots before it lack)
    needs: str | None = None
    parameters: tuple[Parameter, ...] = ()
    headline: str = ""
    what: str = ""
    why: str = ""
    advice: str = ""  # the "Fix suggested" prose

    def docstring(self) -> str:
        """Return the ``find_<kind>`` docstring: the header's headline, prose and parameters."""
        lines = [f"Return the {self.name} findings: {self.headline}", "", self.what, ""]
        lines += [f"Why: {self.why}", "", f"Fix suggested: {self.advice}"]
        for p in self.parameters:
            lines += ["", f"``{p.name}`` (default {p.default}): {p.meaning}."]
        return "\n".join(lines)


def parse_header(name: str, sql: str) -> Kind | None:
    """Return the kind ``queries/<name>.sql`` declares, or None for a helper query.

    Raises HeaderError naming the file and the field for a missing, unknown or
    malformed field, so a new kind with a typo fails at import, not in a report.
    """
    where = f"queries/{name}.sql"
    lines = _comment_lines(sql)
    if not lines or not lines[0].startswith(f"{name}:"):
        raise HeaderError(f"{where}: the first line must be '-- {name}: what it finds'")
    end = lines.index("") if "" in lines else len(lines)
    fields = _fields(where, lines[1:end])
    if not fields:
        return None
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        raise HeaderError(f"{where}: no {', '.join(missing)} line in the header")
    prose = _prose(where, lines[end:])
    parameters = tuple(_parameter(where, text) for text in fields.get("parameter", []))
    _check_bound(where, sql, parameters)
    return Kind(
        name=name,
        entity_type=_one_of(where, "entity", fields["entity"][0], ENTITIES),
        severity=_one_of(where, "severity", fields["severity"][0], tuple(SEVERITY_ORDER)),
        fix=_identifier(where, "fix", fields["fix"][0]),
        summary=fields["summary"][0],
        needs=_one_of(where, "needs", fields["needs"][0], NEEDS) if "needs" in fields else None,
        parameters=parameters,
        headline=lines[0].split(":", 1)[1].strip(),
        what=prose["What"],
        why=prose["Why"],
        advice=prose["Fix suggested"],
    )


def _comment_lines(sql: str) -> list[str]:
    """Return the leading ``--`` lines without their marker (an empty comment line as "")."""
    header = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        header.append(line[2:].removeprefix(" ").rstrip())
    return header


def _fields(where: str, lines: list[str]) -> dict[str, list[str]]:
    known = (*REQUIRED, "needs", "parameter")
    fields: dict[str, list[str]] = {}
    for line in lines:
        match = _FIELD.match(line)
        if match is None or match[1] not in known:
            raise HeaderError(
                f"{where}: {line!r} is not a field; the fields are {', '.join(known)} "
                "(an empty '--' line ends them)"
            )
        values = fields.setdefault(match[1], [])
        if values and match[1] != "parameter":
            raise HeaderError(f"{where}: {match[1]} given twice")
        values.append(match[2].strip())
    return fields


def _prose(where: str, lines: list[str]) -> dict[str, str]:
    """Return What, Why and Fix suggested, line breaks kept (the headers lay out lists)."""
    parts = _SECTION.split("\n".join(lines))
    sections = {
        section: "\n".join(line.strip() for line in text.strip().splitlines())
        for section, text in zip(parts[1::2], parts[2::2], strict=True)
    }
    missing = [s for s in PROSE if not sections.get(s)]
    if missing:
        raise HeaderError(f"{where}: the header says nothing under {', '.join(missing)}")
    return sections


def _one_of(where: str, field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise HeaderError(f"{where}: {field} {value!r} is not one of {', '.join(allowed)}")
    return value


def _identifier(where: str, field: str, value: str) -> str:
    if not _NAME.match(value):
        raise HeaderError(f"{where}: {field} {value!r} is not a name like add_tracks")
    return value


def _parameter(where: str, text: str) -> Parameter:
    match = _PARAMETER.match(text)
    if match is None:
        raise HeaderError(
            f"{where}: parameter {text!r} is not 'name = default (what it means)', "
            "e.g. 'stuck_days = 7 (pending this many days)'"
        )
    return Parameter(match[1], int(match[2]), match[3])


def _check_bound(where: str, sql: str, parameters: tuple[Parameter, ...]) -> None:
    """Refuse a parameter the SQL never binds, or a ``$name`` the header does not declare."""
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    bound = set(_BOUND.findall(body)) - set(RUNNER_PARAMETERS)
    declared = {p.name for p in parameters}
    if bound != declared:
        raise HeaderError(
            f"{where}: the SQL binds {', '.join(sorted(bound)) or 'no parameter'} but the header "
            f"declares {', '.join(sorted(declared)) or 'none'} (a 'parameter:' line for each)"
        )
