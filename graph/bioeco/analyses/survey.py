"""What the survey respondents said next to what the graph shows (gaps_survey)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rdflib import Dataset, Graph

from bioeco.analyses.gapshared import check_code, counted_entities, name_list
from bioeco.analyses.project import Network, as_network, concept_code, entity_id, selector

__all__ = [
    "SURVEY_COLUMNS",
    "survey_comparison",
]


SURVEY_COLUMNS = [
    "observation",
    "dataset",
    "question",
    "respondent_group",
    "topic",
    "sector",
    "stage",
    "share",
    "sample_size",
    "survey_source",
    "graph_scope",
    "graph_actors",
    "graph_initiatives",
    "graph_share_actors",
    "graph_examples",
    "graph_sources",
    "explanation",
]


_Q_OBS = """
SELECT ?obs ?dataset ?question ?group ?topic ?sector ?stage ?share ?n ?dn ?src ?dsrc WHERE {
  ?obs a qb:Observation ; bioeco:share ?share .
  OPTIONAL { ?obs bioeco:sector ?sector }
  OPTIONAL { ?obs bioeco:valueChainStage ?stage }
  FILTER(BOUND(?sector) || BOUND(?stage))
  OPTIONAL { ?obs qb:dataSet ?dataset .
             OPTIONAL { ?dataset prov:wasDerivedFrom ?dsrc }
             OPTIONAL { ?dataset bioeco:sampleSize ?dn } }
  OPTIONAL { ?obs bioeco:question ?question }
  OPTIONAL { ?obs bioeco:respondentGroup ?group }
  OPTIONAL { ?obs bioeco:topic ?topic }
  OPTIONAL { ?obs bioeco:sampleSize ?n }
  OPTIONAL { ?obs prov:wasDerivedFrom ?src }
}"""


_Q_ASSERT_SRC = """
SELECT DISTINCT ?s ?c ?src WHERE {
  ?a bioeco:classifiedEntity ?s ; bioeco:concept ?c ; prov:wasDerivedFrom ?src .
}"""


def _code(value: object, scheme: str) -> str | None:
    return concept_code(value, scheme) if isinstance(value, str) else None


def survey_comparison(
    graph: Graph | Dataset,
    *,
    network: Network | None = None,
    sector: str | None = None,
    as_of: int | None = None,
    basis: str = "all",
) -> pd.DataFrame:
    """What the survey respondents said about a sector/stage next to what the graph shows.

    One row per ``qb:Observation`` that has a ``bioeco:sector`` and/or
    ``bioeco:valueChainStage`` (observations with neither have no graph counterpart). The graph
    side counts the actors and initiatives classified with that sector (or one below it) and/or
    that stage — ``graph_scope`` says which: ``cell`` (both), ``sector`` or ``stage``.
    *network* (from :func:`~bioeco.analyses.project.load_network` on the same graph) avoids
    reading the graph twice; *sector* keeps observations about that sector or below.

    Columns
    -------
    observation, dataset : compact ids of the observation and its data set
    question, respondent_group, topic, sector, stage : concept codes (None when absent)
    share : share of respondents (0–1); sample_size : respondents, where stated
    survey_source : source document(s) of the observation or its data set
    graph_scope : ``cell``, ``sector`` or ``stage``
    graph_actors, graph_initiatives : entities the graph classifies in that scope
    graph_share_actors : graph_actors / actors classified in the same dimension(s)
    graph_examples : ids of up to five of those entities (tuple)
    graph_sources : source documents of the classification assertions behind the counts
    explanation : both sides in plain English

    Examples
    --------
    >>> from bioeco.analyses._fixture import example_graph
    >>> df = survey_comparison(example_graph())
    >>> df[["stage", "share", "graph_actors", "graph_share_actors"]].round(3)
                   stage  share  graph_actors  graph_share_actors
    0           research   0.30             1               0.167
    1  commercialisation   0.42             1               0.167
    >>> print(df.loc[1, "explanation"])
    42% of respondents (all, question challenge, n=50) named stage commercialisation; the
    graph has 1 actor (Biotec AS) and 0 initiatives there, 17% of the actors with a
    classification in that dimension (sources: observation source/survey; graph source/test)
    """
    net = network if network is not None else as_network(graph, as_of=as_of, basis=basis)
    check_code(net, "sector", sector)
    run = selector(graph)
    obs = run(_Q_OBS)
    if obs.empty:
        return pd.DataFrame(columns=SURVEY_COLUMNS)
    srcs = run(_Q_ASSERT_SRC)
    src_of: dict[tuple[str, str], set[str]] = {}
    for s, c, src in srcs.itertuples(index=False):
        src_of.setdefault((s, c), set()).add(entity_id(src))
    concept_iri = dict(
        zip(
            zip(net.concepts["scheme"], net.concepts["code"], strict=True),
            net.concepts["concept"],
            strict=True,
        )
    )
    stages = net.codes("stage")
    grouped: dict[str, dict] = {}
    for row in obs.sort_values("obs").itertuples(index=False):
        rec = grouped.setdefault(row.obs, {"src": set(), "row": row})
        for value in (row.src, row.dsrc):
            if isinstance(value, str):
                rec["src"].add(entity_id(value))
    counted = {k: counted_entities(net, k) for k in ("actor", "initiative")}
    rows = []
    for obs_iri, rec in sorted(grouped.items()):
        row = rec["row"]
        sec, stg = _code(row.sector, "sector"), _code(row.stage, "stage")
        if sector is not None and (sec is None or sec not in net.descendants("sector", sector)):
            continue
        secs = net.descendants("sector", sec) if sec else None
        scope = "cell" if sec and stg else ("sector" if sec else "stage")

        def matches(iri: str, secs: set[str] | None = secs, stg: str | None = stg) -> bool:
            ok_sector = secs is None or bool(set(net.attr(iri, "sectors")) & secs)
            ok_stage = stg is None or stg in net.attr(iri, "stages")
            return ok_sector and ok_stage

        def classified(iri: str, sec: str | None = sec, stg: str | None = stg) -> bool:
            return (sec is None or bool(net.attr(iri, "sectors"))) and (
                stg is None or bool(net.attr(iri, "stages"))
            )

        hits = {k: [i for i in v if matches(i)] for k, v in counted.items()}
        base = [i for i in counted["actor"] if classified(i)]
        share_actors = len(hits["actor"]) / len(base) if base else float("nan")
        wanted = set()
        if secs:
            wanted |= {str(concept_iri.get(("sector", s), "")) for s in secs}
        if stg:
            wanted.add(str(concept_iri.get(("stage", stg), "")))
        graph_src = sorted(
            {
                src
                for i in hits["actor"] + hits["initiative"]
                for c in wanted
                for src in src_of.get((i, c), ())
            }
        )
        n = row.n if pd.notna(row.n) else row.dn
        sample = int(n) if pd.notna(n) else None
        examples = sorted(entity_id(i) for i in hits["actor"] + hits["initiative"])[:5]
        what = " and ".join(
            x for x in (f"sector {sec}" if sec else "", f"stage {stg}" if stg else "") if x
        )
        group = _code(row.group, "respondent-group")
        question = _code(row.question, "question")
        topic = _code(row.topic, "topic")
        n_a, n_i = len(hits["actor"]), len(hits["initiative"])
        text = (
            f"{float(row.share):.0%} of respondents ({group or 'unknown group'}"
            + (f", question {question}" if question else "")
            + (f", topic {topic}" if topic else "")
            + (f", n={sample}" if sample else "")
            + f") named {what}; the graph has {n_a} actor{'s' if n_a != 1 else ''}"
            + (f" ({name_list(net, hits['actor'])})" if n_a else "")
            + f" and {n_i} initiative{'s' if n_i != 1 else ''} there"
            + (
                f", {share_actors:.0%} of the actors with a classification in that dimension"
                if not np.isnan(share_actors)
                else ""
            )
            + f" (sources: observation {', '.join(sorted(rec['src'])) or 'unknown'}; "
            + f"graph {', '.join(graph_src) or 'unknown'})"
        )
        rows.append(
            {
                "observation": entity_id(obs_iri),
                "dataset": entity_id(row.dataset) if isinstance(row.dataset, str) else None,
                "question": question,
                "respondent_group": group,
                "topic": topic,
                "sector": sec,
                "stage": stg,
                "share": float(row.share),
                "sample_size": sample,
                "survey_source": tuple(sorted(rec["src"])),
                "graph_scope": scope,
                "graph_actors": n_a,
                "graph_initiatives": n_i,
                "graph_share_actors": share_actors,
                "graph_examples": tuple(examples),
                "graph_sources": tuple(graph_src),
                "explanation": text,
            }
        )
    df = pd.DataFrame(rows, columns=SURVEY_COLUMNS)
    sectors = net.codes("sector")
    key = df.assign(
        _s=df["sector"].map(lambda s: sectors.index(s) if s in sectors else len(sectors)),
        _t=df["stage"].map(lambda s: stages.index(s) if s in stages else len(stages)),
    ).fillna({"question": "", "respondent_group": "", "topic": ""})
    key = key.sort_values(
        ["_s", "_t", "question", "respondent_group", "topic", "observation"], kind="mergesort"
    )
    return df.loc[key.index].reset_index(drop=True)
