"""The builder: the vocabulary contract holds for the tiny fixture graph."""

from __future__ import annotations

from rdflib import Literal, URIRef

from bioeco.core.vocab import BID, BIOECO, ORG, RDF, SKOS, TIME, XSD, ontology_graph, source_graph
from bioeco.store.query import select


def _named(ds) -> set[str]:
    return {str(c.identifier) for c in ds.graphs() if len(c)}


def test_one_named_graph_per_source_plus_ontology(tiny_dataset):
    assert _named(tiny_dataset) == {
        str(ontology_graph()),
        str(source_graph("src-a")),
        str(source_graph("src-b")),
    }


def test_actor_is_organization_with_subclass_labels_and_aliases(tiny_dataset):
    alpha = BID["actor/alpha"]
    g = tiny_dataset.graph(source_graph("src-a"))
    types = set(g.objects(alpha, RDF.type))
    assert {ORG.Organization, BIOECO.Company} <= types
    assert Literal("Alpha Marin AS", lang="nb") in set(g.objects(alpha, SKOS.prefLabel))
    assert set(g.objects(alpha, SKOS.prefLabel)) == set(
        g.objects(alpha, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    )
    assert {str(x) for x in g.objects(alpha, SKOS.altLabel)} == {"Alpha", "Alpha Marine"}


def test_alias_from_other_source_lives_in_that_sources_graph(tiny_dataset):
    beta = BID["actor/beta-institute"]
    b = tiny_dataset.graph(source_graph("src-b"))
    assert {str(x) for x in b.objects(beta, SKOS.altLabel)} == {"BETA"}


def test_observed_membership_has_no_invented_start(tiny_dataset):
    frame = select(
        tiny_dataset,
        """SELECT ?m ?observed ?start WHERE {
             ?m org:member actor:alpha ; org:organization initiative:north-cluster ;
                org:role role:member .
             OPTIONAL { ?m bioeco:observedIn ?observed }
             OPTIONAL { ?m org:memberDuring/time:hasBeginning ?start } }""",
    )
    assert len(frame) == 1
    assert str(frame.loc[0, "observed"]) == "2021"
    assert frame.loc[0, "start"] is None


def test_new_member_has_beginning_in_year(tiny_dataset):
    g = tiny_dataset.graph(source_graph("src-a"))
    m = BID["membership/src-a/north-cluster/beta-institute/member"]
    interval = g.value(m, ORG.memberDuring)
    begin = g.value(interval, TIME.hasBeginning)
    assert g.value(begin, TIME.inXSDgYear) == Literal("2021", datatype=XSD.gYear)
    assert g.value(interval, TIME.hasEnd) is None
    assert g.value(m, BIOECO.observedIn) is None


def test_member_of_shortcut_and_provenance(tiny_dataset):
    frame = select(
        tiny_dataset,
        """SELECT ?src ?loc WHERE {
             actor:alpha org:memberOf initiative:north-cluster .
             ?m org:member actor:alpha ; org:organization initiative:north-cluster ;
                prov:wasDerivedFrom ?src ; bioeco:locator ?loc }""",
    )
    assert frame.to_dict("records") == [
        {"src": str(BID["source/src-a"]), "loc": "Medlemmer; l. 15"}
    ]


def test_inferred_classification_can_be_filtered_out(tiny_dataset):
    query = """SELECT ?x WHERE { ?x bioeco:sector sector:marine
        %s } ORDER BY ?x"""
    everything = select(tiny_dataset, query % "")
    stated = select(
        tiny_dataset,
        query % "FILTER NOT EXISTS { ?a bioeco:classifiedEntity ?x ; bioeco:concept sector:marine ;"
        " bioeco:basis bioeco:inferred }",
    )
    assert set(everything["x"]) == {str(BID["actor/alpha"]), str(BID["initiative/north-cluster"])}
    assert list(stated["x"]) == [str(BID["initiative/north-cluster"])]


def test_merger_change_event(tiny_dataset):
    frame = select(
        tiny_dataset,
        """SELECT ?orig ?res ?date WHERE { ?c a org:ChangeEvent ;
             org:originalOrganization ?orig ; org:resultingOrganization ?res ; dcterms:date ?date ;
             bioeco:changeType <https://w3id.org/bioeco/id/concept/change-type/merger> }
           ORDER BY ?orig""",
    )
    assert list(frame["orig"]) == [
        str(BID["actor/beta-institute"]),
        str(BID["actor/gamma-old"]),
    ]
    assert set(frame["res"]) == {str(BID["actor/beta-institute"])}
    assert set(frame["date"].astype(str)) == {"2021-11"}


def test_part_of_dates_and_place(tiny_dataset):
    frame = select(
        tiny_dataset,
        """SELECT ?parent ?start ?end ?place WHERE {
             initiative:enzyme-day dcterms:isPartOf ?parent ; bioeco:startDate ?start ;
                 bioeco:endDate ?end ; bioeco:place ?place }""",
    )
    row = frame.iloc[0]
    assert row["parent"] == str(BID["initiative/north-cluster"])
    assert str(row["start"]) == "2021-11-15"
    assert row["place"] == "Gardermoen"


def test_survey_observation_is_a_data_cube_observation(tiny_dataset):
    frame = select(
        tiny_dataset,
        """SELECT ?share ?stage WHERE { ?o a qb:Observation ; qb:dataSet ?d ;
             bioeco:share ?share ; bioeco:valueChainStage ?stage .
             ?d a qb:DataSet ; qb:structure ?dsd }""",
    )
    assert len(frame) == 1
    assert float(frame.loc[0, "share"]) == 0.15
    assert frame.loc[0, "stage"] == str(BID["concept/stage/capital"])


def test_sub_units_foundings_and_sector_centres(tiny_dir):
    from bioeco.ingest.build import build_dataset
    from bioeco.ingest.load import load_records

    (tiny_dir / "src-b" / "actors.csv").write_text(
        "id,label,type,part_of,source,locator\n"
        "beta-north,Beta Nord,research-institute,beta-institute,src-b,l. 7\n",
        encoding="utf-8",
    )
    (tiny_dir / "src-b" / "changes.csv").write_text(
        "id,type,original,resulting,date,basis,source,locator\n"
        "beta-north-founded,founding,,beta-north,2016,stated,src-b,l. 8\n"
        "beta-spin-off,spin-off,beta-institute,alpha,2008,inferred,src-b,l. 9\n",
        encoding="utf-8",
    )
    (tiny_dir / "src-b" / "centres.csv").write_text(
        "sector,region,basis,source,locator,note\n"
        "health,oslo-region,stated,src-b,p. 40; l. 1719,\n"
        "marine,tromso,stated,src-b,p. 40; l. 1721,\n",
        encoding="utf-8",
    )
    ds = build_dataset(records=load_records(tiny_dir))
    frame = select(
        ds,
        """SELECT ?parent ?founded ?basis WHERE {
             actor:beta-north org:subOrganizationOf ?parent .
             ?c org:resultingOrganization actor:beta-north ; dcterms:date ?founded ;
                bioeco:basis ?basis ;
                bioeco:changeType <https://w3id.org/bioeco/id/concept/change-type/founding> .
             FILTER NOT EXISTS { ?c org:originalOrganization ?any } }""",
    )
    assert frame.to_dict("records") == [
        {"parent": str(BID["actor/beta-institute"]), "founded": "2016", "basis": str(BIOECO.stated)}
    ]
    centres = select(
        ds,
        """SELECT ?sector ?region WHERE { ?c a bioeco:SectorCentre ; bioeco:sector ?sector ;
             bioeco:region ?region ; prov:wasDerivedFrom source:src-b .
             ?sector bioeco:centredIn ?region } ORDER BY ?sector""",
    )
    assert list(centres["region"]) == [
        str(BID["concept/region/oslo-region"]),
        str(BID["concept/region/tromso"]),
    ]
    from bioeco.validate.shacl import validate_graph

    report = validate_graph(ds)
    assert report.conforms, report.text()


def test_change_other_than_founding_needs_original(tiny_dir):
    import pytest

    from bioeco.errors import DataError
    from bioeco.ingest.load import load_records

    (tiny_dir / "src-b" / "changes.csv").write_text(
        "id,type,resulting,source,locator\nx-renamed,renaming,alpha,src-b,l. 8\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_records(tiny_dir)
    assert str(info.value) == (
        "data/src-b/changes.csv, row 2, field original: a renaming needs the original "
        "organisation(s)"
    )
