"""Tiny contract-conforming RDF graphs from compact Python descriptions (doctests and tests)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import Graph

from bioeco.core.vocab import BID, PREFIXES

__all__ = ["build_graph", "chain_graph", "example_graph"]

SECTORS = {
    "health": None,
    "pharma": "health",
    "diagnostics": "health",
    "medtech": "health",
    "marine": None,
    "agri-food": None,
    "industry": None,
    "knowledge": None,
}
STAGES = ["research", "data", "innovation", "commercialisation", "sales", "capital"]
REGIONS = {
    "norway": None,
    "nord-norge": "norway",
    "troms-og-finnmark": "nord-norge",
    "tromso": "troms-og-finnmark",
    "oslo-region": "norway",
    "bergen": "norway",
    "trondheim": "norway",
    "as": "norway",
    "international": None,
}
_BID_NAME = re.compile(r"\bbid:([\w/-]+(?:\.[\w/-]+)*)")
_PROPS = {"sector": "sector", "stage": "valueChainStage", "region": "region"}


def _lit(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _instant(value: Any) -> str:
    text = str(value)
    prop = {4: "inXSDgYear", 7: "inXSDgYearMonth"}.get(len(text), "inXSDDate")
    return f"[ a time:Instant; time:{prop} {_year(text)} ]"


def _year(value: Any) -> str:
    text = str(value)
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(text), "date")
    return f'"{text}"^^xsd:{kind}'


def _schemes() -> list[str]:
    out = []
    for code, broader in SECTORS.items():
        out.append(
            f"bid:concept/sector/{code} a skos:Concept; skos:notation {_lit(code)}; "
            f"skos:prefLabel {_lit(code)}@en; skos:inScheme bid:scheme/sector"
            + (f"; skos:broader bid:concept/sector/{broader}" if broader else "")
            + " ."
        )
    for order, code in enumerate(STAGES, 1):
        out.append(
            f"bid:concept/stage/{code} a skos:Concept; skos:notation {_lit(code)}; "
            f"skos:prefLabel {_lit(code)}@en; skos:inScheme bid:scheme/stage; "
            f"bioeco:order {order} ."
        )
    for code, broader in REGIONS.items():
        out.append(
            f"bid:concept/region/{code} a skos:Concept; skos:notation {_lit(code)}; "
            f"skos:inScheme bid:scheme/region"
            + (f"; skos:broader bid:concept/region/{broader}" if broader else "")
            + " ."
        )
    return out


def _classifications(subject: str, spec: Mapping[str, Any]) -> list[str]:
    out = []
    inferred = spec.get("inferred", {})
    for scheme, prop in _PROPS.items():
        stated = [(c, "stated") for c in spec.get(scheme, [])]
        guessed = [(c, "inferred") for c in inferred.get(scheme, [])]
        for code, basis in stated + guessed:
            concept = f"bid:concept/{scheme}/{code}"
            slug = subject.removeprefix("bid:").replace("/", "-")
            node = f"bid:classification/test/{slug}/{scheme}/{code}"
            out.append(f"{subject} bioeco:{prop} {concept} .")
            out.append(
                f"{node} a bioeco:ClassificationAssertion; bioeco:classifiedEntity {subject}; "
                f"bioeco:classificationProperty bioeco:{prop}; bioeco:concept {concept}; "
                f"bioeco:basis bioeco:{basis}; prov:wasDerivedFrom bid:source/test ."
            )
    return out


def build_graph(
    actors: Mapping[str, Mapping[str, Any]] | None = None,
    initiatives: Mapping[str, Mapping[str, Any]] | None = None,
    memberships: Iterable[tuple | Mapping[str, Any]] = (),
    observations: Iterable[Mapping[str, Any]] = (),
    *,
    schemes: bool = False,
    stage_rules: Mapping[str, Iterable[str]] | None = None,
) -> Graph:
    """Build a contract-conforming graph from a compact description.

    ``actors`` and ``initiatives`` map ids to dicts with optional keys ``label``, ``type``,
    ``sector``, ``stage``, ``region`` (lists of codes), ``inferred`` (``{"sector": [...]}``:
    classifications with basis inferred) and, for initiatives, ``start``/``end``/``part_of``.
    ``memberships`` are ``(member, organization, role)`` tuples or dicts with ``member``,
    ``organization``, ``role`` and optional ``begin``, ``end``, ``observed``. A member id is
    looked up among actors first, then initiatives. ``schemes=True`` adds the sector, stage
    and region concept schemes (so empty cells of the full scheme show up). ``stage_rules``
    maps actor-type codes to the stages they can occupy (``bioeco:StageApplicability`` rules).

    Examples
    --------
    >>> g = build_graph({"a": {"sector": ["marine"]}}, {"i": {}}, [("a", "i", "member")])
    >>> len(g) > 10
    True
    """
    actors = dict(actors or {})
    initiatives = dict(initiatives or {})
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    lines.append("bid:source/test a prov:Entity, bioeco:SourceDocument .")
    if schemes:
        lines += _schemes()
    for kind, stages in sorted((stage_rules or {}).items()):
        values = ", ".join(f"bid:concept/stage/{t}" for t in stages)
        lines.append(
            f"bid:rule/stage-applicability/{kind} a bioeco:StageApplicability; "
            f"bioeco:appliesToType bid:concept/actor-type/{kind}; "
            f"bioeco:applicableStage {values}; "
            f'skos:note "Test rule for {kind}."@en; bioeco:basis bioeco:external .'
        )

    def iri(ident: str) -> str:
        if ident in actors:
            return f"bid:actor/{ident}"
        if ident in initiatives:
            return f"bid:initiative/{ident}"
        raise KeyError(ident)

    for ident, spec in sorted(actors.items()):
        s = f"bid:actor/{ident}"
        label = _lit(spec.get("label", ident))
        kind = spec.get("type", "company")
        lines.append(
            f"{s} a org:Organization, bioeco:Company; skos:prefLabel {label}@en; "
            f"rdfs:label {label}@en; bioeco:actorType bid:concept/actor-type/{kind} ."
        )
        lines += _classifications(s, spec)
    for ident, spec in sorted(initiatives.items()):
        s = f"bid:initiative/{ident}"
        label = _lit(spec.get("label", ident))
        kind = spec.get("type", "cluster")
        lines.append(
            f"{s} a org:OrganizationalCollaboration, bioeco:Cluster; skos:prefLabel {label}@en; "
            f"rdfs:label {label}@en; bioeco:initiativeType bid:concept/initiative-type/{kind} ."
        )
        if spec.get("start"):
            lines.append(f"{s} bioeco:startDate {_year(spec['start'])} .")
        if spec.get("end"):
            lines.append(f"{s} bioeco:endDate {_year(spec['end'])} .")
        if spec.get("part_of"):
            lines.append(f"{s} dcterms:isPartOf bid:initiative/{spec['part_of']} .")
        lines += _classifications(s, spec)
    for n, item in enumerate(memberships):
        if isinstance(item, Mapping):
            m = dict(item)
        else:
            m = dict(zip(("member", "organization", "role"), item, strict=True))
        member, org, role = iri(m["member"]), iri(m["organization"]), m.get("role", "member")
        node = f"bid:membership/test/{n}"
        lines.append(
            f"{node} a org:Membership; org:member {member}; org:organization {org}; "
            f"org:role bid:concept/role/{role}; prov:wasDerivedFrom bid:source/test; "
            f'bioeco:locator "l. {n + 1}" .'
        )
        lines.append(f"{member} org:memberOf {org} .")
        if m.get("begin") or m.get("end"):
            parts = []
            if m.get("begin"):
                parts.append(f"time:hasBeginning {_instant(m['begin'])}")
            if m.get("end"):
                parts.append(f"time:hasEnd {_instant(m['end'])}")
            lines.append(f"{node} org:memberDuring [ a time:Interval; {'; '.join(parts)} ] .")
        if m.get("observed"):
            lines.append(f"{node} bioeco:observedIn {_year(m['observed'])} .")
    for obs in observations:
        ds = obs.get("dataset", "survey")
        node = f"bid:observation/{ds}/{obs['id']}"
        parts = [
            "a qb:Observation",
            f"qb:dataSet bid:dataset/{ds}",
            f"bioeco:question bid:concept/question/{obs.get('question', 'q1')}",
            f"bioeco:respondentGroup bid:concept/respondent-group/{obs.get('group', 'all')}",
            f'bioeco:share "{obs["share"]}"^^xsd:decimal',
            "prov:wasDerivedFrom bid:source/survey",
        ]
        for key, prop in (("sector", "sector"), ("stage", "valueChainStage"), ("topic", "topic")):
            if obs.get(key):
                parts.append(f"bioeco:{prop} bid:concept/{key}/{obs[key]}")
        if obs.get("sample_size"):
            parts.append(f"bioeco:sampleSize {int(obs['sample_size'])}")
        lines.append(f"{node} {'; '.join(parts)} .")
        lines.append(f"bid:dataset/{ds} a qb:DataSet; prov:wasDerivedFrom bid:source/survey .")
    text = _BID_NAME.sub(lambda m: f"<{BID}{m.group(1)}>", "\n".join(lines))
    return Graph().parse(data=text, format="turtle")


def example_graph() -> Graph:
    """A small ecosystem used by the doctests: two clusters, a cross-sector project, a survey.

    Examples
    --------
    >>> len(example_graph()) > 100
    True
    """
    actors = {
        "uit": {
            "label": "UiT",
            "type": "university",
            "sector": ["marine", "health"],
            "stage": ["research"],
            "region": ["tromso"],
        },
        "nofima": {
            "label": "Nofima",
            "type": "research-institute",
            "sector": ["agri-food"],
            "stage": ["research", "innovation"],
            "region": ["tromso"],
        },
        "biotec": {
            "label": "Biotec AS",
            "type": "company",
            "sector": ["health"],
            "stage": ["commercialisation"],
            "region": ["tromso"],
        },
        "seaweed": {
            "label": "Seaweed AS",
            "type": "company",
            "sector": ["marine"],
            "stage": ["innovation"],
            "region": ["tromso"],
        },
        "farm": {
            "label": "Farm Coop",
            "type": "company",
            "sector": ["agri-food"],
            "stage": ["sales"],
            "region": ["as"],
        },
        "mill": {
            "label": "Mill AS",
            "type": "company",
            "sector": ["agri-food"],
            "stage": ["innovation"],
            "region": ["as"],
            "inferred": {"stage": ["sales"]},
        },
    }
    initiatives = {
        "north": {
            "label": "Biotech North",
            "type": "cluster",
            "sector": ["marine", "health"],
            "stage": ["innovation"],
            "region": ["tromso"],
            "start": "2014",
        },
        "green": {
            "label": "Green Cluster",
            "type": "cluster",
            "sector": ["agri-food"],
            "stage": ["innovation"],
            "region": ["as"],
        },
        "bridge": {
            "label": "Land meets Sea",
            "type": "project",
            "sector": ["marine", "agri-food"],
            "start": "2021",
            "end": "2023",
        },
        "seminar": {"label": "Marine Seminar", "type": "event", "sector": ["marine"]},
    }
    memberships = [
        {"member": "uit", "organization": "north", "role": "member", "observed": "2021"},
        {"member": "biotec", "organization": "north", "role": "member", "begin": "2021"},
        {"member": "seaweed", "organization": "north", "role": "member", "observed": "2021"},
        ("nofima", "north", "member"),
        ("nofima", "green", "member"),
        ("farm", "green", "member"),
        ("mill", "green", "member"),
        ("nofima", "bridge", "coordinator"),
        ("uit", "bridge", "partner"),
        ("uit", "seminar", "organiser"),
        ("seaweed", "seminar", "participant"),
        ("biotec", "seminar", "participant"),
    ]
    observations = [
        {
            "id": "o1",
            "question": "challenge",
            "stage": "commercialisation",
            "share": 0.42,
            "sample_size": 50,
        },
        {"id": "o2", "question": "focus", "sector": "marine", "stage": "research", "share": 0.3},
    ]
    return build_graph(actors, initiatives, memberships, observations, schemes=True)


def chain_graph() -> Graph:
    """Four actors in a chain of three projects: a, b (marine) — c, d (health); a and d are
    three steps apart (the what-if examples' network).

    Examples
    --------
    >>> len(chain_graph()) > 0
    True
    """
    return build_graph(
        {"a": {"sector": ["marine"]}, "b": {"sector": ["marine"]},
         "c": {"sector": ["health"]}, "d": {"sector": ["health"]}},
        {"i1": {"type": "project"}, "i2": {"type": "project"}, "i3": {"type": "project"}},
        [("a", "i1", "member"), ("b", "i1", "member"), ("b", "i2", "member"),
         ("c", "i2", "member"), ("c", "i3", "member"), ("d", "i3", "member")],
    )  # fmt: skip
