"""Namespaces and IRI builders: the vocabulary contract (docs/vocabulary.md) in one place."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, TIME, XSD

__all__ = [
    "BID",
    "BIOECO",
    "DCTERMS",
    "EURIO",
    "FOAF",
    "GRAPH",
    "ORG",
    "OWL",
    "PREFIXES",
    "PREFIX_HEADER",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SH",
    "SKOS",
    "TIME",
    "XSD",
    "analysis_graph",
    "bind_prefixes",
    "compact",
    "concept_iri",
    "is_slug",
    "ontology_graph",
    "scheme_iri",
    "slugify",
    "source_graph",
]

BIOECO = Namespace("https://w3id.org/bioeco/ontology#")
BID = Namespace("https://w3id.org/bioeco/id/")
GRAPH = Namespace("https://w3id.org/bioeco/graph/")
EURIO = Namespace("http://data.europa.eu/s66#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, Namespace] = {
    "bioeco": BIOECO,
    "bid": BID,
    "org": ORG,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "time": TIME,
    "foaf": FOAF,
    "qb": QB,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "eurio": EURIO,
    "sh": SH,
    # resource prefixes, so SPARQL can write actor:uit, role:member, stage:capital
    "actor": Namespace(BID["actor/"]),
    "person": Namespace(BID["person/"]),
    "initiative": Namespace(BID["initiative/"]),
    "source": Namespace(BID["source/"]),
    "role": Namespace(BID["concept/role/"]),
    "sector": Namespace(BID["concept/sector/"]),
    "stage": Namespace(BID["concept/stage/"]),
    "region": Namespace(BID["concept/region/"]),
    "competence": Namespace(BID["concept/competence/"]),
    "actortype": Namespace(BID["concept/actor-type/"]),
    "inittype": Namespace(BID["concept/initiative-type/"]),
}

PREFIX_HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
"""The predeclared prefixes as SPARQL text, for endpoint users and documentation (also
:data:`bioeco.store.query.PREFIX_HEADER`)."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a", "ß": "ss"})


def is_slug(value: str) -> bool:
    """Return True if *value* is a valid id: lowercase ASCII words joined by single hyphens.

    Examples
    --------
    >>> is_slug("uit"), is_slug("biotech-north"), is_slug("Bad Id"), is_slug("a--b")
    (True, True, False, False)
    """
    return bool(_SLUG.fullmatch(value))


def slugify(text: str) -> str:
    """Turn a name into a stable id slug (Norwegian letters transliterated).

    Names with no Latin letters or digits (e.g. in Chinese script) get ``id-`` plus a short
    hash of the name, so the result is always a valid, stable slug.

    Examples
    --------
    >>> slugify("Næringsforeningen i Tromsøregionen")
    'naeringsforeningen-i-tromsoregionen'
    >>> slugify("  UiT / Norstruct ")
    'uit-norstruct'
    >>> slugify("李伟")
    'id-5ed4d58e'
    """
    ascii_text = text.translate(_TRANSLIT)
    ascii_text = unicodedata.normalize("NFKD", ascii_text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if slug:
        return slug
    return "id-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def concept_iri(scheme: str, code: str) -> URIRef:
    """IRI of the concept *code* in concept scheme *scheme*.

    Examples
    --------
    >>> concept_iri("sector", "marine")
    rdflib.term.URIRef('https://w3id.org/bioeco/id/concept/sector/marine')
    """
    return BID[f"concept/{scheme}/{code}"]


def scheme_iri(scheme: str) -> URIRef:
    """IRI of a concept scheme.

    Examples
    --------
    >>> scheme_iri("stage")
    rdflib.term.URIRef('https://w3id.org/bioeco/id/scheme/stage')
    """
    return BID[f"scheme/{scheme}"]


def source_graph(source_id: str) -> URIRef:
    """Named graph IRI holding the facts of one source document.

    Examples
    --------
    >>> source_graph("btn-ar-2021")
    rdflib.term.URIRef('https://w3id.org/bioeco/graph/source/btn-ar-2021')
    """
    return GRAPH[f"source/{source_id}"]


def ontology_graph() -> URIRef:
    """Named graph IRI holding the ontology and the concept schemes."""
    return GRAPH["ontology"]


def analysis_graph() -> URIRef:
    """Named graph IRI holding analysis results."""
    return GRAPH["analysis"]


def compact(iri: str) -> str:
    """Shorten an IRI with the project's prefixes (longest namespace wins); else return it.

    Examples
    --------
    >>> compact("https://w3id.org/bioeco/id/actor/uit")
    'actor:uit'
    >>> compact("http://www.w3.org/ns/org#Membership")
    'org:Membership'
    >>> compact("http://example.org/x")
    'http://example.org/x'
    """
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and len(str(ns)) > len(str(PREFIXES.get(best, ""))):
            local = iri[len(str(ns)) :]
            if (
                local
                and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", local)
                and not local.endswith(".")
            ):
                best = prefix
    return f"{best}:{iri[len(str(PREFIXES[best])) :]}" if best else iri


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib Graph or Dataset (replacing rdflib defaults)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
