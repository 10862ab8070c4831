"""Integration: the analyses on the real data/ find what the sources support."""

from __future__ import annotations

import pytest

from bioeco.analyses.project import actor_projection
from bioeco.core.paths import DATA_DIR
from bioeco.ingest.build import build_dataset
from bioeco.pipeline import analyze


@pytest.fixture(scope="module")
def dataset():
    return build_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def tables(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    from bioeco.ingest.export import write_outputs

    write_outputs(dataset, out)
    return analyze(out_dir=out, write=False, min_shared=2).tables


def _pair(frame, a, b, col_a, col_b):
    rows = frame[
        ((frame[col_a] == a) & (frame[col_b] == b)) | ((frame[col_a] == b) & (frame[col_b] == a))
    ]
    assert len(rows) == 1, f"no row for {a} / {b}"
    return rows.iloc[0]


def test_joint_webimar_activities_of_the_clusters_overlap(dataset, tables):
    # events are compared among themselves, not with the clusters' projects
    assert not tables["overlap_pairs"]["type_a"].isin(["event", "event-series"]).any()
    assert tables["overlap_pairs"]["relation"].ne("same-consortium").all()
    # WebiMar and the WebiMar session at Bioprosp_21 are run by the same three clusters
    from bioeco.analyses.overlap import overlap_pairs

    events = overlap_pairs(dataset, kind="events")
    row = _pair(
        events,
        "initiative/webimar",
        "initiative/bioprosp-21-webimar",
        "initiative_a",
        "initiative_b",
    )
    assert row["overlap"] == 1.0
    assert set(row["shared_members"]) == {
        "initiative/biotech-north",
        "initiative/nce-blue-legasea",
        "initiative/cod-cluster",
    }
    assert set(row["shared_organisers"]) == set(row["shared_members"])
    assert row["relation"] == "same-organisers" and not row["consolidation"]


def test_the_first_bridge_actors_are_neither_funders_nor_clusters(tables):
    actors = tables["bridges_actors"]
    first = actors.head(3)  # the rows come in order: the actors first
    assert first["role"].eq("actor").all()
    assert not first["actor"].isin(["actor/forskningsradet", "initiative/biotech-north"]).any()
    hubs = actors.set_index("actor").loc[["actor/forskningsradet", "initiative/biotech-north"]]
    assert hubs["role"].tolist() == ["funder", "initiative"]


def test_the_regional_lens_suggests_pairs_and_shows_ties(dataset, tmp_path):
    from bioeco.ingest.export import write_outputs

    write_outputs(dataset, tmp_path)
    tables = analyze(
        ("bridges",), out_dir=tmp_path, write=False, region="nord-norge", as_of=2021
    ).tables
    pairs = tables["bridges_pairs"]
    assert len(pairs) > 0
    assert pairs["explanation"].str.contains("in these sources").all()
    actors = tables["bridges_actors"]
    hub = actors["role"].ne("actor")
    tied = actors[actors.assign(hub=hub).duplicated(["hub", "rank"], keep=False)]
    assert len(tied) > 0 and tied["explanation"].str.contains("tied for rank").all()


def test_land_moter_hav_links_marine_and_agriculture(dataset, tables):
    row = _pair(tables["gaps_structural"], "agri-food", "marine", "sector_a", "sector_b")
    assert "initiative/land-moter-hav" in row["shared_initiatives"]
    g = actor_projection(dataset)
    heidner = "https://w3id.org/bioeco/id/initiative/heidner-biocluster"
    btn = "https://w3id.org/bioeco/id/initiative/biotech-north"
    assert g.has_edge(heidner, btn)
    assert "https://w3id.org/bioeco/id/initiative/land-moter-hav" in g.edges[heidner, btn]["via"]


def test_bridges_are_explained_in_plain_words(tables):
    top = tables["bridges_actors"].head(5)
    assert top["explanation"].str.contains(" connects ").all()
    assert (top["score"].diff().dropna() <= 0).all()


def test_survey_gaps_join_graph_and_respondents(tables):
    survey = tables["gaps_survey"]
    capital = survey[survey["observation"].str.endswith("unmet-contact-need-capital")]
    assert len(capital) == 1
    assert "15" in capital.iloc[0]["explanation"]


def test_as_of_compares_years(dataset, tmp_path):
    from bioeco.ingest.export import write_outputs

    write_outputs(dataset, tmp_path)
    y2017 = analyze(("overlap",), out_dir=tmp_path, write=False, as_of=2017).tables
    y2021 = analyze(("overlap",), out_dir=tmp_path, write=False, as_of=2021).tables
    assert not y2017["overlap_pairs"].equals(y2021["overlap_pairs"])


def test_shuffled_sectors_give_no_structural_gap(dataset):
    """The null model of issue 20: with the actors' sector classifications shuffled at random
    there is nothing to find, and at least 95 % of the shuffles must call no structural gap
    (before the FDR control, 20 shuffles called 66 gaps)."""
    import numpy as np

    from bioeco.analyses.gaps import structural_gaps
    from bioeco.analyses.project import Network, load_network

    net = load_network(dataset)
    actors = net.nodes.index[net.nodes["kind"] == "actor"]
    sectors = net.nodes.loc[actors, "sectors"].to_numpy()
    runs, with_gap, tested = 40, 0, 0
    for seed in range(runs):
        nodes = net.nodes.copy()
        nodes.loc[actors, "sectors"] = sectors[np.random.default_rng(seed).permutation(len(actors))]
        df = structural_gaps(Network(nodes, net.edges, net.concepts), seed=seed)
        tested += len(df)
        with_gap += bool(df["gap"].any())
        assert not df.loc[~df["gap"], "explanation"].str.contains("a structural gap").any()
    assert tested == runs * 10
    assert with_gap <= 0.05 * runs


def test_no_structural_gap_on_data_is_said_in_plain_words(tables):
    df = tables["gaps_structural"]
    assert not df["gap"].any()
    assert df.attrs["summary"].startswith("No sector pair shares significantly fewer")
    assert "could only have detected a shortfall of at least" in df.attrs["summary"]
