"""The records of data/: one dataclass per table row, Records and TABLES (every table's columns)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from bioeco.ingest.cells import (
    Origin,
    Table,
    as_basis,
    as_code,
    as_count,
    as_date,
    as_language,
    as_list,
    as_locator,
    as_number,
    as_orgnr,
    as_percent,
    as_qualifier,
    as_slug,
    as_slugs,
    as_url,
    as_year,
    columns_of,
)

__all__ = [
    "TABLES",
    "Actor",
    "Alias",
    "Centre",
    "Change",
    "Classification",
    "Dataset",
    "Figure",
    "Initiative",
    "Membership",
    "Observation",
    "Person",
    "Records",
    "Source",
]


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    issued: str
    publisher: str
    language: str
    file: str
    title_en: str = ""
    covers: str = ""
    coverage: str = ""
    note: str = ""
    url: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)

    @property
    def year(self) -> int:
        """The year the document describes: ``covers`` when given, else the year issued."""
        return int((self.covers or self.issued)[:4])


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    type: str
    source: str
    locator: str
    label_en: str = ""
    aliases: tuple[str, ...] = ()
    orgnr: str = ""
    part_of: str = ""
    part_of_basis: str = "stated"
    part_of_citation: str = ""
    basis: str = "stated"
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    source: str
    locator: str
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Initiative:
    id: str
    label: str
    type: str
    source: str
    locator: str
    label_en: str = ""
    aliases: tuple[str, ...] = ()
    part_of: str = ""
    part_of_basis: str = "stated"
    part_of_citation: str = ""
    start: str = ""
    end: str = ""
    place: str = ""
    status: str = ""
    description_en: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Membership:
    member: str
    organization: str
    role: str
    source: str
    locator: str
    start: str = ""
    end: str = ""
    observed: str = ""
    basis: str = "stated"
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Classification:
    subject: str
    scheme: str
    concept: str
    basis: str
    source: str
    locator: str
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Change:
    id: str
    type: str
    resulting: tuple[str, ...]
    source: str
    locator: str
    original: tuple[str, ...] = ()
    date: str = ""
    basis: str = "stated"
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Centre:
    sector: str
    region: str
    basis: str
    source: str
    locator: str
    citation: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Figure:
    subject: str
    measure: str
    value: float
    unit: str
    source: str
    locator: str
    region: str = ""
    qualifier: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Alias:
    subject: str
    alias: str
    source: str
    locator: str
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Dataset:
    id: str
    label: str
    source: str
    locator: str
    label_en: str = ""
    sample_size: int | None = None
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass(frozen=True)
class Observation:
    dataset: str
    id: str
    question: str
    respondent_group: str
    percent: float
    source: str
    locator: str
    sector: str = ""
    stage: str = ""
    competence: str = ""
    topic: str = ""
    sample_size: int | None = None
    qualifier: str = ""
    note: str = ""
    origin: Origin = field(default=Origin("", 0), compare=False, repr=False)


@dataclass
class Records:
    """Everything read from one data directory, sorted by key for deterministic output."""

    sources: list[Source] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    classifications: list[Classification] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    centres: list[Centre] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of records per table."""
        return {f.name: len(getattr(self, f.name)) for f in fields(self)}


_PROV = (("source", True, as_slug), ("locator", True, as_locator))


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sources",
            Source,
            columns_of(
                ("id", True, as_slug),
                ("title", True),
                ("title_en", False),
                ("issued", True, as_date),
                ("publisher", True, as_slug),
                ("language", True, as_language),
                ("file", True),
                ("covers", False, as_year),
                ("coverage", False, as_code("region")),
                ("note", False),
                ("url", False, as_url),
            ),
            ("id",),
        ),
        Table(
            "actors",
            Actor,
            columns_of(
                ("id", True, as_slug),
                ("label", True),
                ("label_en", False),
                ("type", True, as_code("actor-type")),
                ("aliases", False, as_list),
                ("orgnr", False, as_orgnr),
                ("part_of", False, as_slug),
                ("part_of_basis", False, as_basis),
                ("part_of_citation", False),
                ("basis", False, as_basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "people",
            Person,
            columns_of(("id", True, as_slug), ("name", True), *_PROV, ("note", False)),
            ("id",),
        ),
        Table(
            "initiatives",
            Initiative,
            columns_of(
                ("id", True, as_slug),
                ("label", True),
                ("label_en", False),
                ("type", True, as_code("initiative-type")),
                ("aliases", False, as_list),
                ("part_of", False, as_slug),
                ("part_of_basis", False, as_basis),
                ("part_of_citation", False),
                ("start", False, as_date),
                ("end", False, as_date),
                ("place", False),
                ("status", False),
                ("description_en", False),
                *_PROV,
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "memberships",
            Membership,
            columns_of(
                ("member", True, as_slug),
                ("organization", True, as_slug),
                ("role", True, as_code("role")),
                ("start", False, as_date),
                ("end", False, as_date),
                ("observed", False, as_year),
                ("basis", False, as_basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("source", "organization", "member", "role"),
        ),
        Table(
            "classifications",
            Classification,
            columns_of(
                ("subject", True, as_slug),
                ("scheme", True),
                ("concept", True, as_slug),
                ("basis", True, as_basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("source", "subject", "scheme", "concept"),
        ),
        Table(
            "changes",
            Change,
            columns_of(
                ("id", True, as_slug),
                ("type", True, as_code("change-type")),
                ("original", False, as_slugs),
                ("resulting", True, as_slugs),
                ("date", False, as_date),
                ("basis", False, as_basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "centres",
            Centre,
            columns_of(
                ("sector", True, as_code("sector")),
                ("region", True, as_code("region")),
                ("basis", True, as_basis),
                ("citation", False),
                *_PROV,
                ("note", False),
            ),
            ("source", "sector", "region"),
        ),
        Table(
            "figures",
            Figure,
            columns_of(
                ("subject", True, as_slug),
                ("measure", True, as_code("figure-measure")),
                ("region", False, as_code("region")),
                ("value", True, as_number),
                ("qualifier", False, as_qualifier),
                ("unit", True, as_code("unit")),
                *_PROV,
                ("note", False),
            ),
            ("source", "subject", "measure", "region"),
        ),
        Table(
            "aliases",
            Alias,
            columns_of(("subject", True, as_slug), ("alias", True), *_PROV),
            ("subject", "alias", "source"),
        ),
        Table(
            "datasets",
            Dataset,
            columns_of(
                ("id", True, as_slug),
                ("label", True),
                ("label_en", False),
                ("sample_size", False, as_count),
                *_PROV,
                ("note", False),
            ),
            ("id",),
        ),
        Table(
            "observations",
            Observation,
            columns_of(
                ("dataset", True, as_slug),
                ("id", True, as_slug),
                ("question", True, as_code("question")),
                ("respondent_group", True, as_code("respondent-group")),
                ("sector", False, as_code("sector")),
                ("stage", False, as_code("stage")),
                ("competence", False, as_code("competence")),
                ("topic", False, as_code("topic")),
                ("percent", True, as_percent),
                ("qualifier", False, as_qualifier),
                ("sample_size", False, as_count),
                *_PROV,
                ("note", False),
            ),
            ("dataset", "id"),
        ),
    )
}
