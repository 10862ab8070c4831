"""What-if scenario files: the actions a row can take, each cell checked as a data row's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bioeco.ingest.cells import (
    Origin,
    Table,
    Validator,
    as_code,
    as_list,
    as_slug,
    as_year,
    columns_of,
)
from bioeco.ingest.reader import concept_codes, read_table

__all__ = [
    "SCENARIO_ACTIONS",
    "SCENARIO_TABLE",
    "ScenarioAction",
    "read_scenario",
]


# ---------------------------------------------------------------- what-if scenarios
SCENARIO_ACTIONS = ("invite", "introduce", "start", "merge", "end")
"""The actions a what-if scenario row can take (docs/whatif.md)."""


@dataclass(frozen=True)
class ScenarioAction:
    """One row of a what-if scenario: an action on the network, checked like a data row."""

    action: str
    actor: str = ""
    other: str = ""
    initiative: str = ""
    into: str = ""
    role: str = ""
    label: str = ""
    type: str = ""
    members: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    region: str = ""
    year: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


def _action(value: str, codes: dict[str, set[str]]) -> str:
    if value not in SCENARIO_ACTIONS:
        raise ValueError(f"{value!r} is not an action (use {', '.join(SCENARIO_ACTIONS)})")
    return value


def _codes_list(scheme: str) -> Validator:
    check = as_code(scheme)

    def parse(value: str, codes: dict[str, set[str]]) -> tuple[str, ...]:
        return tuple(check(part, codes) for part in as_list(value, codes))

    return parse


def _slug_list(value: str, codes: dict[str, set[str]]) -> tuple[str, ...]:
    return tuple(as_slug(part, codes) for part in as_list(value, codes))


SCENARIO_TABLE = Table(
    "scenario",
    ScenarioAction,
    columns_of(
        ("action", True, _action),
        ("actor", False, as_slug),
        ("other", False, as_slug),
        ("initiative", False, as_slug),
        ("into", False, as_slug),
        ("role", False, as_code("role")),
        ("label", False),
        ("type", False, as_code("initiative-type")),
        ("members", False, _slug_list),
        ("sectors", False, _codes_list("sector")),
        ("stages", False, _codes_list("stage")),
        ("region", False, as_code("region")),
        ("year", False, as_year),
        ("note", False),
    ),
    key=(),
)
"""The columns of a what-if scenario file: one action a row (docs/whatif.md)."""


def read_scenario(
    path: Path | str, *, ontology_dir: Path | str | None = None
) -> list[ScenarioAction]:
    """Read a what-if scenario CSV, every cell checked as a data row's would be.

    Raises :class:`~bioeco.errors.DataError` naming the file, row and field of the first
    problem (unknown codes, bad years, formula text …); whether the ids exist is checked
    against a graph by :func:`bioeco.analyses.whatif.whatif`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plan.csv"
    >>> _ = p.write_text("action,actor,initiative,role,year\\ninvite,uit,match,partner,2023\\n")
    >>> read_scenario(p)[0].role
    'partner'
    >>> _ = p.write_text("action,actor,initiative,year\\njoin,uit,match,2023\\n")
    >>> read_scenario(p, ontology_dir=None)
    Traceback (most recent call last):
    ...
    bioeco.errors.DataError: ...plan.csv, row 2, field action: 'join' is not an action (use ...
    """
    codes = concept_codes(Path(ontology_dir) if ontology_dir else None)
    return read_table(path, SCENARIO_TABLE, codes)
