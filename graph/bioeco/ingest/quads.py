"""The build's fast path: records straight to N-Quads text, sorted once, then Oxigraph.

:func:`build_quads` is the one record→triple mapping of the project (``bioeco build`` and
:func:`bioeco.ingest.build.build_dataset` both use it; tests compare its quads on ``data/`` and the
tiny fixture with the output of the rdflib builder it replaced) and makes no rdflib
objects: every quad is one string, its *sort key* — the subject, ``rdf:type`` first, the
predicate and the object as rdflib's ``n3()`` writes them (the order
:func:`bioeco.ingest.export.serialize_trig` uses), then the graph. One sort of these strings gives
both the TriG order (graph by graph) and the Turtle order (the union, duplicates dropped).
Oxigraph then does the heavy work in Rust: it bulk-loads the N-Quads text into a store and
turns it into TriG and Turtle with the project's prefixes, byte for byte what the rdflib
path writes. ``bioeco build`` hands the store its quads in TriG chunks while they are
still being made (:class:`StoreFeed`, *sink* of :func:`build_quads`): the store's bulk load,
the largest single cost of a build, runs on a second thread from the start instead of
after the sort and the texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal

from bioeco.core.schemes import load_ontology, type_classes
from bioeco.core.vocab import (
    BID,
    BIOECO,
    DCTERMS,
    FOAF,
    GRAPH,
    ORG,
    PROV,
    QB,
    RDFS,
    SKOS,
    TIME,
    XSD,
    ontology_graph,
)
from bioeco.errors import DataError
from bioeco.ingest.built import TYPE_KEY, BuiltGraph, graph_char
from bioeco.ingest.feed import StoreFeed, load_store
from bioeco.ingest.load import Actor, Initiative, Records

__all__ = [
    "TYPE_KEY",
    "BuiltGraph",
    "StoreFeed",
    "build_quads",
    "graph_char",
    "load_store",
]


_FEED_FIRST = 250_000  # rows of the first TriG chunk handed to the store while emitting: the
# store (the longest path of a build) starts about 0.5 s sooner than with 500 000 at scale 100


_FEED_MAX = 1_000_000  # later chunks double up to this (Oxigraph's own bulk-load batch)


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})

_NEEDS_ESCAPE = re.compile('[\\\\"\n\r]')  # translate() with a table is slow: only when needed


def _iri(value: object) -> str:
    return f"<{value}>"


# predicates and classes used below, as N-Triples terms
_P = {
    name: _iri(term)
    for name, term in {
        "derived": PROV.wasDerivedFrom,
        "locator": BIOECO.locator,
        "note": SKOS.editorialNote,
        "basis": BIOECO.basis,
        "citation": DCTERMS.bibliographicCitation,
        "part": BIOECO.part,
        "whole": BIOECO.whole,
        "partprop": BIOECO.partOfProperty,
        "pref": SKOS.prefLabel,
        "label": RDFS.label,
        "alt": SKOS.altLabel,
    }.items()
}


_CLASSIFICATION_ASSERTION = _iri(BIOECO.ClassificationAssertion)


_CLASSIFIED_ENTITY = _iri(BIOECO.classifiedEntity)


_CLASSIFICATION_PROPERTY = _iri(BIOECO.classificationProperty)


_CONCEPT = _iri(BIOECO.concept)


_PART_OF_ASSERTION = _iri(BIOECO.PartOfAssertion)


_XSD = {name: _iri(XSD[name]) for name in ("gYear", "gYearMonth", "date", "decimal", "integer")}


_DATE_TYPE = {4: _XSD["gYear"], 7: _XSD["gYearMonth"], 10: _XSD["date"]}


_INSTANT = {4: TIME.inXSDgYear, 7: TIME.inXSDgYearMonth, 10: TIME.inXSDDate}


_QUALIFIERS = {
    "lower-bound": BIOECO.lowerBound,
    "upper-bound": BIOECO.upperBound,
    "approximate": BIOECO.approximate,
}


_CLASSIFICATION = {
    "sector": BIOECO.sector,
    "stage": BIOECO.valueChainStage,
    "region": BIOECO.region,
    "competence": BIOECO.competenceArea,
}


def _concept(scheme: str, code: str) -> str:
    return f"<{BID}concept/{scheme}/{code}>"


_TYPE_A = bytes.maketrans(TYPE_KEY.encode(), b"a")
"""The type placeholder as Turtle's ``a`` (``rdf:type``): one byte for one byte."""


def _trig_of_rows(rows: list[str], graphs: dict[str, str]) -> bytes:
    r"""TriG bytes of *rows* in any order (``s p o g`` as in :class:`BuiltGraph`, for the
    store, which needs no order); *graphs* maps each graph character to its IRI.

    The keys are Turtle already (rdflib's ``n3()`` forms, multi-line literals in triple
    quotes), so per graph: one join, the graph character made the triple's ``.`` and the
    type placeholder Turtle's ``a`` — no rewriting of terms. A graph character stands only
    at the end of a row (checked by counting; otherwise each row is ended one by one).

    Examples
    --------
    >>> rows = ["<s> \1 <C> \x80", '<s> <p> "x" \x80', '<t> <p> "y"@en \x81']
    >>> print(_trig_of_rows(rows, {"\x80": "g", "\x81": "h"}).decode())
    <g> {
    <s> a <C> .
    <s> <p> "x" .
    }
    <h> {
    <t> <p> "y"@en .
    }
    <BLANKLINE>
    """
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(row[-1], []).append(row)
    out = []
    for char, group in groups.items():
        text = "\n".join(group) + "\n"
        if text.count(char) == len(group):
            text = text.replace(char, ".")
        else:
            text = "".join([f"{row[:-1]}.\n" for row in group])
        out.append(f"<{graphs[char]}> {{\n{text}}}\n".encode().translate(_TYPE_A))
    return b"".join(out)


class _Terms:
    """IRIs of a namespace as N-Triples terms (``<…>``), made once per name: rdflib's
    ``Namespace`` builds and checks a new URIRef on every attribute access."""

    def __init__(self, namespace: object) -> None:
        self._base = str(namespace)

    def __getattr__(self, name: str) -> str:
        term = f"<{self._base}{name}>"
        setattr(self, name, term)
        return term


_BIOECO = _Terms(BIOECO)


_DCTERMS = _Terms(DCTERMS)


_FOAF = _Terms(FOAF)


_ORG = _Terms(ORG)


_PROV = _Terms(PROV)


_QB = _Terms(QB)


_TIME = _Terms(TIME)


class _Emitter:
    """Makes the quads of the knowledge graph of *records*, as key strings."""

    def __init__(
        self,
        records: Records,
        ontology_dir: Path | None,
        graph_index: dict,
        sink: Callable[[bytes], object] | None = None,
    ) -> None:
        self.records = records
        self.rows: list[str] = []
        self.nt: dict[str, str] = {}
        self.sink = sink
        self.sent = 0  # rows handed to the sink so far
        self.chunk = _FEED_FIRST
        self.graphs = {graph_char(i): name for name, i in graph_index.items()}
        self.language = {s.id: s.language.lower() for s in records.sources}
        self.graph_char = {
            sid: graph_char(graph_index[f"{GRAPH}source/{sid}"]) for sid in self.language
        }
        self.type_classes = {
            scheme: {code: _iri(cls) for code, cls in type_classes(scheme, ontology_dir).items()}
            for scheme in ("actor-type", "initiative-type")
        }
        self.iri: dict[str, str] = {}
        for a in records.actors:
            self.iri[a.id] = f"<{BID}actor/{a.id}>"
        for p in records.people:
            self.iri[p.id] = f"<{BID}person/{p.id}>"
        for i in records.initiatives:
            self.iri[i.id] = f"<{BID}initiative/{i.id}>"

    # ----------------------------------------------------------------- terms and quads

    def literal(self, text: str, lang: str = "", datatype: str = "") -> str:
        suffix = f"@{lang}" if lang else (f"^^{datatype}" if datatype else "")
        escaped = text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text
        nt = f'"{escaped}"{suffix}'
        if "\n" in text:  # rdflib's n3() writes a multi-line literal in triple quotes
            key = Literal._quote_encode(text) + suffix  # type: ignore[arg-type]
            self.nt[key] = nt
            return key
        return nt

    def date(self, value: str) -> str:
        return f'"{value}"^^{_DATE_TYPE[len(value)]}'

    @staticmethod
    def decimal(value: float | Decimal) -> str:
        return f'"{format(Decimal(str(value)).normalize(), "f")}"^^{_XSD["decimal"]}'

    def add(self, g: str, s: str, p: str, o: str) -> None:
        self.rows.append(f"{s} {p} {o} {g}")

    def typ(self, g: str, s: str, cls: str) -> None:
        self.rows.append(f"{s} {TYPE_KEY} {cls} {g}")

    def feed(self, *, last: bool = False) -> None:
        """Hand the rows made since the last call to the sink as TriG (when they are a
        chunk's worth, or the *last* ones)."""
        if self.sink is None or len(self.rows) - self.sent < (1 if last else self.chunk):
            return
        self.sink(_trig_of_rows(self.rows[self.sent :], self.graphs))
        self.sent = len(self.rows)
        self.chunk = min(2 * self.chunk, _FEED_MAX)

    def provenance(self, g: str, node: str, source: str, locator: str, note: str = "") -> None:
        if len(self.rows) - self.sent >= self.chunk:  # every record ends with its provenance
            self.feed()
        self.add(g, node, _P["derived"], f"<{BID}source/{source}>")
        self.add(g, node, _P["locator"], self.literal(locator))
        if note:
            self.add(g, node, _P["note"], self.literal(note, "en"))

    def basis(self, g: str, node: str, basis: str, citation: str = "") -> None:
        self.add(g, node, _P["basis"], f"<{BIOECO}{basis}>")
        if citation:
            self.add(g, node, _P["citation"], self.literal(citation))

    def part_of(self, g: str, rec: Actor | Initiative, prop: str) -> None:
        part, whole = self.iri[rec.id], self.iri[rec.part_of]
        self.add(g, part, prop, whole)
        node = f"<{BID}part-of/{rec.source}/{rec.id}>"
        self.typ(g, node, _PART_OF_ASSERTION)
        self.add(g, node, _P["part"], part)
        self.add(g, node, _P["whole"], whole)
        self.add(g, node, _P["partprop"], prop)
        self.basis(g, node, rec.part_of_basis, rec.part_of_citation)
        self.provenance(g, node, rec.source, rec.locator)

    def labels(self, g: str, node: str, label: str, source: str, label_en: str = "") -> None:
        for text, tag in ((label, self.language[source]), (label_en, "en")):
            if text:
                lit = self.literal(text, tag)
                self.add(g, node, _P["pref"], lit)
                self.add(g, node, _P["label"], lit)

    def typed_entity(
        self, g: str, rec: Actor | Initiative, base: str, scheme: str, prop: str
    ) -> str:
        node = self.iri[rec.id]
        cls = self.type_classes[scheme].get(rec.type)
        if cls is None:
            raise rec.origin.error(f"{scheme} {rec.type!r} has no corresponding class", "type")
        self.typ(g, node, base)
        self.typ(g, node, cls)
        self.add(g, node, prop, _concept(scheme, rec.type))
        self.labels(g, node, rec.label, rec.source, rec.label_en)
        for alias in rec.aliases:
            self.add(g, node, _P["alt"], self.literal(alias, self.language[rec.source]))
        return node

    def classify(
        self,
        g: str,
        subject: str,
        scheme: str,
        prop: str,
        concept: str,
        basis: str,
        source: str,
        locator: str,
        note: str = "",
        citation: str = "",
    ) -> None:
        node = f"<{BID}classification/{source}/{subject}/{scheme}/{concept}>"
        target = _concept(scheme, concept)
        self.add(g, self.iri[subject], prop, target)
        self.typ(g, node, _CLASSIFICATION_ASSERTION)
        self.add(g, node, _CLASSIFIED_ENTITY, self.iri[subject])
        self.add(g, node, _CLASSIFICATION_PROPERTY, prop)
        self.add(g, node, _CONCEPT, target)
        self.basis(g, node, basis, citation)
        self.provenance(g, node, source, locator, note)

    # ------------------------------------------------------------------ tables

    def sources(self) -> None:
        for s in self.records.sources:
            g = self.graph_char[s.id]
            node = f"<{BID}source/{s.id}>"
            lang = self.language[s.id]
            self.typ(g, node, _PROV.Entity)
            self.typ(g, node, _BIOECO.SourceDocument)
            self.add(g, node, _DCTERMS.title, self.literal(s.title, lang))
            if s.title_en:
                self.add(g, node, _DCTERMS.title, self.literal(s.title_en, "en"))
            self.add(g, node, _DCTERMS.issued, self.date(s.issued))
            self.add(g, node, _DCTERMS.publisher, self.iri[s.publisher])
            self.add(g, node, _DCTERMS.language, self.literal(s.language))
            self.add(g, node, _DCTERMS.identifier, self.literal(s.file))
            if s.covers:
                self.add(g, node, _DCTERMS.temporal, f'"{s.covers}"^^{_XSD["gYear"]}')
            if s.coverage:
                self.add(g, node, _DCTERMS.spatial, _concept("region", s.coverage))
            if s.note:
                self.add(g, node, _P["note"], self.literal(s.note, "en"))
            if s.url:  # where the document is published (checked as an https IRI, never fetched)
                self.add(g, node, _FOAF.page, _iri(s.url))

    def actors(self) -> None:
        org, actor_type = _ORG.Organization, _BIOECO.actorType
        for a in self.records.actors:
            g = self.graph_char[a.source]
            node = self.typed_entity(g, a, org, "actor-type", actor_type)
            if a.orgnr:
                self.add(g, node, _ORG.identifier, self.literal(a.orgnr))
            if a.part_of:
                self.part_of(g, a, _ORG.subOrganizationOf)
            self.provenance(g, node, a.source, a.locator, a.note)
            self.classify(
                g,
                a.id,
                "actor-type",
                actor_type,
                a.type,
                a.basis,
                a.source,
                a.locator,
                citation=a.citation,
            )

    def people(self) -> None:
        for p in self.records.people:
            g = self.graph_char[p.source]
            node = self.iri[p.id]
            name = self.literal(p.name)
            self.typ(g, node, _FOAF.Person)
            self.add(g, node, _FOAF.name, name)
            self.add(g, node, _P["pref"], name)
            self.add(g, node, _P["label"], name)
            self.provenance(g, node, p.source, p.locator, p.note)

    def initiatives(self) -> None:
        collab, init_type = _ORG.OrganizationalCollaboration, _BIOECO.initiativeType
        for i in self.records.initiatives:
            g = self.graph_char[i.source]
            node = self.typed_entity(g, i, collab, "initiative-type", init_type)
            if i.part_of:
                self.part_of(g, i, _DCTERMS.isPartOf)
            if i.start:
                self.add(g, node, _BIOECO.startDate, self.date(i.start))
            if i.end:
                self.add(g, node, _BIOECO.endDate, self.date(i.end))
            if i.place:
                self.add(g, node, _BIOECO.place, self.literal(i.place, self.language[i.source]))
            if i.status:
                self.add(g, node, _BIOECO.status, self.literal(i.status, "en"))
            if i.description_en:
                self.add(g, node, _DCTERMS.description, self.literal(i.description_en, "en"))
            self.provenance(g, node, i.source, i.locator, i.note)

    def memberships(self) -> None:
        membership, member_p, org_p = _ORG.Membership, _ORG.member, _ORG.organization
        role_p, member_of = _ORG.role, _ORG.memberOf
        during, interval_c = _ORG.memberDuring, _TIME.Interval
        instant_c, observed = _TIME.Instant, _BIOECO.observedIn
        ends = ((_TIME.hasBeginning, "start"), (_TIME.hasEnd, "end"))
        instant_of = {n: _iri(prop) for n, prop in _INSTANT.items()}
        for m in self.records.memberships:
            g = self.graph_char[m.source]
            base = f"{BID}membership/{m.source}/{m.organization}/{m.member}/{m.role}"
            node = f"<{base}>"
            member, org = self.iri[m.member], self.iri[m.organization]
            self.typ(g, node, membership)
            self.add(g, node, member_p, member)
            self.add(g, node, org_p, org)
            self.add(g, node, role_p, _concept("role", m.role))
            self.basis(g, node, m.basis, m.citation)
            self.add(g, member, member_of, org)
            if m.observed:
                self.add(g, node, observed, f'"{m.observed}"^^{_XSD["gYear"]}')
            if m.start or m.end:
                interval = f"<{base}/interval>"
                self.add(g, node, during, interval)
                self.typ(g, interval, interval_c)
                for value, (prop, suffix) in zip((m.start, m.end), ends, strict=True):
                    if value:
                        instant = f"<{base}/{suffix}>"
                        self.add(g, interval, prop, instant)
                        self.typ(g, instant, instant_c)
                        self.add(g, instant, instant_of[len(value)], self.date(value))
            self.provenance(g, node, m.source, m.locator, m.note)

    def classifications(self) -> None:
        props = {scheme: _iri(prop) for scheme, prop in _CLASSIFICATION.items()}
        for c in self.records.classifications:
            self.classify(
                self.graph_char[c.source],
                c.subject,
                c.scheme,
                props[c.scheme],
                c.concept,
                c.basis,
                c.source,
                c.locator,
                c.note,
                c.citation,
            )

    def changes(self) -> None:
        for ch in self.records.changes:
            g = self.graph_char[ch.source]
            node = f"<{BID}change/{ch.id}>"
            self.typ(g, node, _ORG.ChangeEvent)
            self.add(g, node, _BIOECO.changeType, _concept("change-type", ch.type))
            for o in ch.original:
                self.add(g, node, _ORG.originalOrganization, self.iri[o])
                self.add(g, self.iri[o], _ORG.changedBy, node)
            for r in ch.resulting:
                self.add(g, node, _ORG.resultingOrganization, self.iri[r])
                self.add(g, self.iri[r], _ORG.resultedFrom, node)
            if ch.date:
                self.add(g, node, _DCTERMS.date, self.date(ch.date))
            self.basis(g, node, ch.basis, ch.citation)
            self.provenance(g, node, ch.source, ch.locator, ch.note)

    def centres(self) -> None:
        for c in self.records.centres:
            g = self.graph_char[c.source]
            node = f"<{BID}centre/{c.source}/{c.sector}/{c.region}>"
            sector, region = _concept("sector", c.sector), _concept("region", c.region)
            self.typ(g, node, _BIOECO.SectorCentre)
            self.add(g, node, _BIOECO.sector, sector)
            self.add(g, node, _BIOECO.region, region)
            self.basis(g, node, c.basis, c.citation)
            self.add(g, sector, _BIOECO.centredIn, region)
            self.provenance(g, node, c.source, c.locator, c.note)

    def figures(self) -> None:
        titles = {s.id: s.title for s in self.records.sources}
        done: set[str] = set()
        for f in self.records.figures:
            g = self.graph_char[f.source]
            dataset = f"<{BID}dataset/figures-{f.source}>"
            if dataset not in done:  # the figures of a source are all in its graph
                done.add(dataset)
                self.typ(g, dataset, _QB.DataSet)
                self.add(g, dataset, _QB.structure, f"<{BID}dsd/figures>")
                label = self.literal(f"Figures stated in {titles[f.source]}", "en")
                self.add(g, dataset, _P["label"], label)
                self.add(g, dataset, _P["pref"], label)
                self.add(g, dataset, _P["derived"], f"<{BID}source/{f.source}>")
                self.add(g, dataset, _P["locator"], self.literal(f.locator))
            suffix = f"/{f.region}" if f.region else ""
            node = f"<{BID}figure/{f.source}/{f.subject}/{f.measure}{suffix}>"
            self.typ(g, node, _QB.Observation)
            self.typ(g, node, _BIOECO.StatedFigure)
            self.add(g, node, _QB.dataSet, dataset)
            self.add(g, node, _BIOECO.figureOf, self.iri[f.subject])
            self.add(g, node, _BIOECO.figureMeasure, _concept("figure-measure", f.measure))
            if f.region:
                self.add(g, node, _BIOECO.region, _concept("region", f.region))
            self.add(g, node, _BIOECO.value, self.decimal(f.value))
            self.add(g, node, _BIOECO.unit, _concept("unit", f.unit))
            if f.qualifier:
                self.add(g, node, _BIOECO.valueQualifier, _iri(_QUALIFIERS[f.qualifier]))
            self.provenance(g, node, f.source, f.locator, f.note)

    def aliases(self) -> None:
        for a in self.records.aliases:
            lit = self.literal(a.alias, self.language[a.source])
            self.add(self.graph_char[a.source], self.iri[a.subject], _P["alt"], lit)

    def observations(self) -> None:
        for d in self.records.datasets:
            g = self.graph_char[d.source]
            node = f"<{BID}dataset/{d.id}>"
            self.typ(g, node, _QB.DataSet)
            self.add(g, node, _QB.structure, f"<{BID}dsd/survey>")
            self.labels(g, node, d.label, d.source, d.label_en)
            if d.sample_size is not None:
                self.add(g, node, _BIOECO.sampleSize, self.integer(d.sample_size))
            self.provenance(g, node, d.source, d.locator, d.note)
        fields = (
            ("sector", BIOECO.sector, "sector"),
            ("stage", BIOECO.valueChainStage, "stage"),
            ("competence", BIOECO.competenceArea, "competence"),
            ("topic", BIOECO.topic, "topic"),
        )
        for o in self.records.observations:
            g = self.graph_char[o.source]
            node = f"<{BID}observation/{o.dataset}/{o.id}>"
            self.typ(g, node, _QB.Observation)
            self.typ(g, node, _BIOECO.SurveyObservation)
            self.add(g, node, _QB.dataSet, f"<{BID}dataset/{o.dataset}>")
            self.add(g, node, _BIOECO.question, _concept("question", o.question))
            self.add(
                g,
                node,
                _BIOECO.respondentGroup,
                _concept("respondent-group", o.respondent_group),
            )
            for attr, prop, scheme in fields:
                value = getattr(o, attr)
                if value:
                    self.add(g, node, _iri(prop), _concept(scheme, value))
            share = self.decimal(Decimal(str(o.percent)) / Decimal(100))
            self.add(g, node, _BIOECO.share, share)
            if o.sample_size is not None:
                self.add(g, node, _BIOECO.sampleSize, self.integer(o.sample_size))
            if o.qualifier:
                self.add(g, node, _BIOECO.valueQualifier, _iri(_QUALIFIERS[o.qualifier]))
            self.provenance(g, node, o.source, o.locator, o.note)

    @staticmethod
    def integer(value: int) -> str:
        return f'"{value}"^^{_XSD["integer"]}'

    def run(self, last: list[str] | tuple[()] = ()) -> None:
        """Make the rows of every table, then add the rows *last* (the ontology graph's);
        the sink gets all of them."""
        for table in (
            self.sources,
            self.actors,
            self.people,
            self.initiatives,
            self.memberships,
            self.classifications,
            self.changes,
            self.centres,
            self.figures,
            self.aliases,
            self.observations,
        ):
            table()
        self.rows.extend(last)  # after every table: no chunk is cut in them
        self.feed(last=True)


def _ontology_rows(ontology_dir: Path | None, char: str, scope: str) -> tuple[list, dict, list]:
    """Rows of the ontology graph (TriG labels for blank nodes: *scope*), the N-Triples forms
    that differ from keys, and the union's rows of its blank-node triples (scope "")."""
    from bioeco.ingest.canonical import OxKeys, has_blank, native_rows
    from bioeco.store.dataset import to_oxigraph

    triples = [ox.Triple(*map(to_oxigraph, t)) for t in load_ontology(ontology_dir)]
    keys = OxKeys()
    nt: dict[str, str] = {}

    def rows_of(found: dict, suffix: str) -> list[str]:
        out = []
        for (s, flag, p, o), terms in found.items():
            nt_o = str(terms[2])
            if nt_o != o:
                nt[o] = nt_o
            if TYPE_KEY in o:
                text = f"a literal holds the control character U+0001: {o[:60]}"
                raise DataError(text, file="ontology")
            out.append(f"{s} {p if flag else TYPE_KEY} {o}{suffix}")
        return out

    rows = rows_of(native_rows(triples, keys, scope), " " + char)
    blank = [t for t in triples if has_blank(t)]
    union_blank = rows_of(native_rows(blank, keys, ""), " ") if blank else []
    return rows, nt, union_blank


def build_quads(
    records: Records,
    *,
    ontology_dir: Path | None = None,
    sink: Callable[[bytes], object] | None = None,
) -> BuiltGraph:
    """The quads of the knowledge graph of *records* (and the ontology), sorted.

    One named graph per source document and the ontology graph; see the module docstring.
    *sink*, when given, receives all quads as TriG chunks (unsorted; duplicates possible)
    while they are made, for a store that loads them meanwhile (:class:`StoreFeed`); the
    ontology graph, the only one with blank nodes, comes whole in the last chunk (a bulk load
    names the blank nodes of each chunk anew).
    """
    names = {f"{GRAPH}source/{s.id}" for s in records.sources}
    onto_name = str(ontology_graph())
    has_ontology = next(iter(load_ontology(ontology_dir)), None) is not None
    if has_ontology:
        names.add(onto_name)
    graphs = sorted(names)
    index = {name: i for i, name in enumerate(graphs)}
    emitter = _Emitter(records, ontology_dir, index, sink)
    union_blank: list[str] = []
    if has_ontology:  # its rows come last, in the last chunk (one load for its blank nodes)
        i = index[onto_name]
        onto_rows, onto_nt, union_blank = _ontology_rows(ontology_dir, graph_char(i), f"g{i}")
        emitter.nt.update(onto_nt)
        emitter.run(onto_rows)
    else:
        emitter.run()
    rows, nt = emitter.rows, emitter.nt
    emitter.rows = []
    rows.sort()  # fast: the rows come in long sorted runs
    # a triple stated twice in one graph is one quad: sorted, a duplicate follows its twin
    pairs = zip(rows, islice(rows, 1, None), strict=False)  # the last row has no neighbour
    unique = [row for row, after in pairs if row != after]
    unique.extend(rows[-1:])
    del rows
    return BuiltGraph(rows=unique, graphs=graphs, nt=nt, union_blank=union_blank)
