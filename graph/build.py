"""Turn loaded records into RDF: one named graph per source document plus the ontology graph."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from bioeco.errors import DataError
from bioeco.load import Actor, Initiative, Records, load_records
from bioeco.quads import build_quads, load_store
from bioeco.schemes import load_ontology, type_classes
from bioeco.store import new_dataset, wrap_store
from bioeco.vocab import (
    BID,
    BIOECO,
    DCTERMS,
    FOAF,
    ORG,
    PROV,
    QB,
    RDF,
    RDFS,
    SKOS,
    TIME,
    XSD,
    bind_prefixes,
    concept_iri,
    ontology_graph,
    source_graph,
)

__all__ = [
    "CLASSIFICATION_PROPERTIES",
    "QUALIFIER_INDIVIDUALS",
    "build_dataset",
    "build_graphs",
    "date_literal",
    "decimal_literal",
]

CLASSIFICATION_PROPERTIES: dict[str, URIRef] = {
    "sector": BIOECO.sector,
    "stage": BIOECO.valueChainStage,
    "region": BIOECO.region,
    "competence": BIOECO.competenceArea,
}
"""Scheme name of ``classifications.csv`` → the property of the shortcut triple."""

QUALIFIER_INDIVIDUALS: dict[str, URIRef] = {
    "lower-bound": BIOECO.lowerBound,
    "upper-bound": BIOECO.upperBound,
    "approximate": BIOECO.approximate,
}
"""``qualifier`` code of figures.csv / observations.csv → the bioeco:valueQualifier individual."""

SURVEY_DSD = BID["dsd/survey"]
FIGURES_DSD = BID["dsd/figures"]


def date_literal(value: str) -> Literal:
    """Typed literal for a date as precise as stated: xsd:gYear, xsd:gYearMonth or xsd:date.

    Examples
    --------
    >>> date_literal("2021").datatype == XSD.gYear
    True
    >>> date_literal("2021-11").datatype == XSD.gYearMonth
    True
    >>> date_literal("2021-11-15").datatype == XSD.date
    True
    """
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=datatype)


def decimal_literal(value: float | Decimal) -> Literal:
    """An xsd:decimal literal in plain notation (no exponent, no trailing zeros).

    Examples
    --------
    >>> str(decimal_literal(6e9)), str(decimal_literal(0.8100)), str(decimal_literal(85))
    ('6000000000', '0.81', '85')
    """
    number = Decimal(str(value)).normalize()
    return Literal(format(number, "f"), datatype=XSD.decimal)


_INSTANT_PROPERTY = {4: TIME.inXSDgYear, 7: TIME.inXSDgYearMonth, 10: TIME.inXSDDate}


class _Builder:
    def __init__(self, records: Records, ontology_dir: Path | None) -> None:
        self.records = records
        self.graphs: dict[URIRef, Graph] = {}
        self.language = {s.id: s.language for s in records.sources}
        self.type_classes = {
            scheme: type_classes(scheme, ontology_dir)
            for scheme in ("actor-type", "initiative-type")
        }
        self.iri: dict[str, URIRef] = {}
        for a in records.actors:
            self.iri[a.id] = BID[f"actor/{a.id}"]
        for p in records.people:
            self.iri[p.id] = BID[f"person/{p.id}"]
        for i in records.initiatives:
            self.iri[i.id] = BID[f"initiative/{i.id}"]

    def graph(self, source: str) -> Graph:
        name = source_graph(source)
        if name not in self.graphs:
            g = Graph(identifier=name)
            bind_prefixes(g)
            self.graphs[name] = g
        return self.graphs[name]

    def provenance(self, g: Graph, node: Node, source: str, locator: str, note: str = "") -> None:
        g.add((node, PROV.wasDerivedFrom, BID[f"source/{source}"]))
        g.add((node, BIOECO.locator, Literal(locator)))
        if note:
            g.add((node, SKOS.editorialNote, Literal(note, lang="en")))

    def basis(self, g: Graph, node: Node, basis: str, citation: str = "") -> None:
        g.add((node, BIOECO.basis, BIOECO[basis]))
        if citation:
            g.add((node, DCTERMS.bibliographicCitation, Literal(citation)))

    def part_of(self, g: Graph, rec: Actor | Initiative, prop: URIRef) -> None:
        """The shortcut ``part prop whole`` and a bioeco:PartOfAssertion with its basis."""
        g.add((self.iri[rec.id], prop, self.iri[rec.part_of]))
        node = BID[f"part-of/{rec.source}/{rec.id}"]
        g.add((node, RDF.type, BIOECO.PartOfAssertion))
        g.add((node, BIOECO.part, self.iri[rec.id]))
        g.add((node, BIOECO.whole, self.iri[rec.part_of]))
        g.add((node, BIOECO.partOfProperty, prop))
        self.basis(g, node, rec.part_of_basis, rec.part_of_citation)
        self.provenance(g, node, rec.source, rec.locator)

    def labels(self, g: Graph, node: Node, label: str, source: str, label_en: str = "") -> None:
        lang = self.language[source]
        for text, tag in ((label, lang), (label_en, "en")):
            if text:
                g.add((node, SKOS.prefLabel, Literal(text, lang=tag)))
                g.add((node, RDFS.label, Literal(text, lang=tag)))

    def typed_entity(
        self, g: Graph, rec: Actor | Initiative, base: URIRef, scheme: str, prop: URIRef
    ) -> URIRef:
        """Type an actor or initiative: standard class, the bioeco class of its type code, the
        type concept, labels and aliases. Returns its IRI."""
        node = self.iri[rec.id]
        cls = self.type_classes[scheme].get(rec.type)
        if cls is None:
            raise rec.origin.error(f"{scheme} {rec.type!r} has no corresponding class", "type")
        g.add((node, RDF.type, base))
        g.add((node, RDF.type, cls))
        g.add((node, prop, concept_iri(scheme, rec.type)))
        self.labels(g, node, rec.label, rec.source, rec.label_en)
        for alias in rec.aliases:
            g.add((node, SKOS.altLabel, Literal(alias, lang=self.language[rec.source])))
        return node

    def classify(
        self,
        g: Graph,
        subject: str,
        scheme: str,
        prop: URIRef,
        concept: str,
        basis: str,
        source: str,
        locator: str,
        note: str = "",
        citation: str = "",
    ) -> None:
        node = BID[f"classification/{source}/{subject}/{scheme}/{concept}"]
        target = concept_iri(scheme, concept)
        g.add((self.iri[subject], prop, target))
        g.add((node, RDF.type, BIOECO.ClassificationAssertion))
        g.add((node, BIOECO.classifiedEntity, self.iri[subject]))
        g.add((node, BIOECO.classificationProperty, prop))
        g.add((node, BIOECO.concept, target))
        self.basis(g, node, basis, citation)
        self.provenance(g, node, source, locator, note)

    # ------------------------------------------------------------------ tables

    def sources(self) -> None:
        for s in self.records.sources:
            g = self.graph(s.id)
            node = BID[f"source/{s.id}"]
            g.add((node, RDF.type, PROV.Entity))
            g.add((node, RDF.type, BIOECO.SourceDocument))
            g.add((node, DCTERMS.title, Literal(s.title, lang=s.language)))
            if s.title_en:
                g.add((node, DCTERMS.title, Literal(s.title_en, lang="en")))
            g.add((node, DCTERMS.issued, date_literal(s.issued)))
            g.add((node, DCTERMS.publisher, self.iri[s.publisher]))
            g.add((node, DCTERMS.language, Literal(s.language)))
            g.add((node, DCTERMS.identifier, Literal(s.file)))
            if s.covers:
                g.add((node, DCTERMS.temporal, Literal(s.covers, datatype=XSD.gYear)))
            if s.coverage:
                g.add((node, DCTERMS.spatial, concept_iri("region", s.coverage)))
            if s.note:
                g.add((node, SKOS.editorialNote, Literal(s.note, lang="en")))

    def actors(self) -> None:
        for a in self.records.actors:
            g = self.graph(a.source)
            node = self.typed_entity(g, a, ORG.Organization, "actor-type", BIOECO.actorType)
            if a.orgnr:
                g.add((node, ORG.identifier, Literal(a.orgnr)))
            if a.part_of:
                self.part_of(g, a, ORG.subOrganizationOf)
            self.provenance(g, node, a.source, a.locator, a.note)
            self.classify(
                g,
                a.id,
                "actor-type",
                BIOECO.actorType,
                a.type,
                a.basis,
                a.source,
                a.locator,
                citation=a.citation,
            )

    def people(self) -> None:
        for p in self.records.people:
            g = self.graph(p.source)
            node = self.iri[p.id]
            g.add((node, RDF.type, FOAF.Person))
            g.add((node, FOAF.name, Literal(p.name)))
            g.add((node, SKOS.prefLabel, Literal(p.name)))
            g.add((node, RDFS.label, Literal(p.name)))
            self.provenance(g, node, p.source, p.locator, p.note)

    def initiatives(self) -> None:
        for i in self.records.initiatives:
            g = self.graph(i.source)
            node = self.typed_entity(
                g, i, ORG.OrganizationalCollaboration, "initiative-type", BIOECO.initiativeType
            )
            if i.part_of:
                self.part_of(g, i, DCTERMS.isPartOf)
            if i.start:
                g.add((node, BIOECO.startDate, date_literal(i.start)))
            if i.end:
                g.add((node, BIOECO.endDate, date_literal(i.end)))
            if i.place:
                g.add((node, BIOECO.place, Literal(i.place, lang=self.language[i.source])))
            if i.status:
                g.add((node, BIOECO.status, Literal(i.status, lang="en")))
            if i.description_en:
                g.add((node, DCTERMS.description, Literal(i.description_en, lang="en")))
            self.provenance(g, node, i.source, i.locator, i.note)

    def memberships(self) -> None:
        for m in self.records.memberships:
            g = self.graph(m.source)
            node = BID[f"membership/{m.source}/{m.organization}/{m.member}/{m.role}"]
            member, org = self.iri[m.member], self.iri[m.organization]
            g.add((node, RDF.type, ORG.Membership))
            g.add((node, ORG.member, member))
            g.add((node, ORG.organization, org))
            g.add((node, ORG.role, concept_iri("role", m.role)))
            self.basis(g, node, m.basis, m.citation)
            g.add((member, ORG.memberOf, org))
            if m.observed:
                g.add((node, BIOECO.observedIn, Literal(m.observed, datatype=XSD.gYear)))
            if m.start or m.end:
                interval = URIRef(f"{node}/interval")
                g.add((node, ORG.memberDuring, interval))
                g.add((interval, RDF.type, TIME.Interval))
                for value, prop, suffix in (
                    (m.start, TIME.hasBeginning, "start"),
                    (m.end, TIME.hasEnd, "end"),
                ):
                    if value:
                        instant = URIRef(f"{node}/{suffix}")
                        g.add((interval, prop, instant))
                        g.add((instant, RDF.type, TIME.Instant))
                        g.add((instant, _INSTANT_PROPERTY[len(value)], date_literal(value)))
            self.provenance(g, node, m.source, m.locator, m.note)

    def classifications(self) -> None:
        for c in self.records.classifications:
            self.classify(
                self.graph(c.source),
                c.subject,
                c.scheme,
                CLASSIFICATION_PROPERTIES[c.scheme],
                c.concept,
                c.basis,
                c.source,
                c.locator,
                c.note,
                c.citation,
            )

    def changes(self) -> None:
        for ch in self.records.changes:
            g = self.graph(ch.source)
            node = BID[f"change/{ch.id}"]
            g.add((node, RDF.type, ORG.ChangeEvent))
            g.add((node, BIOECO.changeType, concept_iri("change-type", ch.type)))
            for o in ch.original:
                g.add((node, ORG.originalOrganization, self.iri[o]))
                g.add((self.iri[o], ORG.changedBy, node))
            for r in ch.resulting:
                g.add((node, ORG.resultingOrganization, self.iri[r]))
                g.add((self.iri[r], ORG.resultedFrom, node))
            if ch.date:
                g.add((node, DCTERMS.date, date_literal(ch.date)))
            self.basis(g, node, ch.basis, ch.citation)
            self.provenance(g, node, ch.source, ch.locator, ch.note)

    def centres(self) -> None:
        for c in self.records.centres:
            g = self.graph(c.source)
            node = BID[f"centre/{c.source}/{c.sector}/{c.region}"]
            sector, region = concept_iri("sector", c.sector), concept_iri("region", c.region)
            g.add((node, RDF.type, BIOECO.SectorCentre))
            g.add((node, BIOECO.sector, sector))
            g.add((node, BIOECO.region, region))
            self.basis(g, node, c.basis, c.citation)
            g.add((sector, BIOECO.centredIn, region))
            self.provenance(g, node, c.source, c.locator, c.note)

    def figures(self) -> None:
        titles = {s.id: s.title for s in self.records.sources}
        for f in self.records.figures:
            g = self.graph(f.source)
            dataset = BID[f"dataset/figures-{f.source}"]
            if (dataset, RDF.type, QB.DataSet) not in g:
                g.add((dataset, RDF.type, QB.DataSet))
                g.add((dataset, QB.structure, FIGURES_DSD))
                label = Literal(f"Figures stated in {titles[f.source]}", lang="en")
                g.add((dataset, RDFS.label, label))
                g.add((dataset, SKOS.prefLabel, label))
                g.add((dataset, PROV.wasDerivedFrom, BID[f"source/{f.source}"]))
                g.add((dataset, BIOECO.locator, Literal(f.locator)))
            suffix = f"/{f.region}" if f.region else ""
            node = BID[f"figure/{f.source}/{f.subject}/{f.measure}{suffix}"]
            g.add((node, RDF.type, QB.Observation))
            g.add((node, RDF.type, BIOECO.StatedFigure))
            g.add((node, QB.dataSet, dataset))
            g.add((node, BIOECO.figureOf, self.iri[f.subject]))
            g.add((node, BIOECO.figureMeasure, concept_iri("figure-measure", f.measure)))
            if f.region:
                g.add((node, BIOECO.region, concept_iri("region", f.region)))
            g.add((node, BIOECO.value, decimal_literal(f.value)))
            g.add((node, BIOECO.unit, concept_iri("unit", f.unit)))
            if f.qualifier:
                g.add((node, BIOECO.valueQualifier, QUALIFIER_INDIVIDUALS[f.qualifier]))
            self.provenance(g, node, f.source, f.locator, f.note)

    def aliases(self) -> None:
        for a in self.records.aliases:
            g = self.graph(a.source)
            g.add(
                (self.iri[a.subject], SKOS.altLabel, Literal(a.alias, lang=self.language[a.source]))
            )

    def observations(self) -> None:
        for d in self.records.datasets:
            g = self.graph(d.source)
            node = BID[f"dataset/{d.id}"]
            g.add((node, RDF.type, QB.DataSet))
            g.add((node, QB.structure, SURVEY_DSD))
            self.labels(g, node, d.label, d.source, d.label_en)
            if d.sample_size is not None:
                g.add((node, BIOECO.sampleSize, Literal(d.sample_size)))
            self.provenance(g, node, d.source, d.locator, d.note)
        for o in self.records.observations:
            g = self.graph(o.source)
            node = BID[f"observation/{o.dataset}/{o.id}"]
            g.add((node, RDF.type, QB.Observation))
            g.add((node, RDF.type, BIOECO.SurveyObservation))
            g.add((node, QB.dataSet, BID[f"dataset/{o.dataset}"]))
            g.add((node, BIOECO.question, concept_iri("question", o.question)))
            g.add(
                (node, BIOECO.respondentGroup, concept_iri("respondent-group", o.respondent_group))
            )
            for value, prop, scheme in (
                (o.sector, BIOECO.sector, "sector"),
                (o.stage, BIOECO.valueChainStage, "stage"),
                (o.competence, BIOECO.competenceArea, "competence"),
                (o.topic, BIOECO.topic, "topic"),
            ):
                if value:
                    g.add((node, prop, concept_iri(scheme, value)))
            g.add((node, BIOECO.share, decimal_literal(Decimal(str(o.percent)) / Decimal(100))))
            if o.sample_size is not None:
                g.add((node, BIOECO.sampleSize, Literal(o.sample_size)))
            if o.qualifier:
                g.add((node, BIOECO.valueQualifier, QUALIFIER_INDIVIDUALS[o.qualifier]))
            self.provenance(g, node, o.source, o.locator, o.note)


def build_graphs(records: Records, *, ontology_dir: Path | None = None) -> dict[URIRef, Graph]:
    """Build one in-memory graph per named graph: every source's facts and the ontology.

    Returns a dict from named-graph IRI to :class:`rdflib.Graph`, sorted by IRI.
    """
    builder = _Builder(records, ontology_dir)
    for step in (
        builder.sources,
        builder.actors,
        builder.people,
        builder.initiatives,
        builder.memberships,
        builder.classifications,
        builder.changes,
        builder.centres,
        builder.figures,
        builder.aliases,
        builder.observations,
    ):
        step()
    ontology = Graph(identifier=ontology_graph())
    bind_prefixes(ontology)
    for triple in load_ontology(ontology_dir):
        ontology.add(triple)
    graphs = {ontology_graph(): ontology, **builder.graphs}
    return dict(sorted(graphs.items()))


def build_dataset(
    data_dir: Path | str | None = None,
    *,
    ontology_dir: Path | str | None = None,
    records: Records | None = None,
    path: Path | str | None = None,
) -> Dataset:
    """Load ``data/`` and build the knowledge graph as an rdflib Dataset on an Oxigraph store.

    The quads come from :func:`bioeco.quads.build_quads` (N-Quads text bulk-loaded into
    Oxigraph); :func:`build_graphs` makes the same quads as rdflib graphs.

    The default graph of the returned dataset is the union of all named graphs.
    With *path*, the Oxigraph store lives on disk there (created if missing); otherwise in
    memory. Raises :class:`~bioeco.errors.DataError` for bad input.
    """
    onto = Path(ontology_dir) if ontology_dir else None
    if records is None:
        records = load_records(data_dir, ontology_dir=onto)
    if not records.sources:
        raise DataError("no source documents in sources.csv", file="sources.csv")
    built = build_quads(records, ontology_dir=onto)
    if path is not None and Path(path).exists():  # an existing store: add to it
        dataset = new_dataset(path)
        dataset.store._inner.load(input=built.nquads(), format=ox.RdfFormat.N_QUADS)
        return dataset
    return wrap_store(load_store(built.nquads(), Path(path) if path is not None else None))
