"""The analysable network as a file: what ``bioeco analyze`` read, kept for ``bioeco whatif``.

Reading the network from the graph is the slow part of a what-if at national scale (scale 100
of the benchmark: about 11 s to parse the TriG and run the network's SPARQL queries, against
well under a second to read this file). ``bioeco analyze`` writes ``<out>/analysis/network.json``
with its tables (same set, same manifest, so it is of the graph the manifest names);
:func:`bioeco.pipeline.whatif` reads it instead of the graph when the manifest's graph is the
graph asked about and the file's ``as_of`` and ``basis`` are those asked for. It carries the
organisations a change event ended (:attr:`Network.ended`), which the what-if leaves out. The
network read back equals the one read from the graph, frame for frame
(``tests/analyses/test_netfile.py``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from bioeco.analyses.ended import ENDED_COLUMNS
from bioeco.analyses.project import Network

__all__ = ["NETWORK_FILE", "network_json", "read_network"]

NETWORK_FILE = "network.json"
"""Name of the network file in ``<out>/analysis/``."""

_FORMAT = 3  # 2: with the ended organisations; 3: nodes and links column by column
_NODE_COLUMNS = [
    "iri", "id", "label", "kind", "type", "sectors", "stages", "regions", "start", "end",
    "part_of",
]  # fmt: skip
_TUPLES = {"sectors", "stages", "regions", "part_of", "roles", "broader", "into"}


def _plain(value: Any) -> Any:
    """A JSON value: tuples as lists, NaN and missing as null, numpy numbers as Python's."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    return value


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def network_json(net: Network, graph: str | None = None) -> str:
    """The network as JSON text (sorted rows, so the same network gives the same text);
    *graph* is the key of the graph it was read from (``bioeco.pipeline.graph_key``)."""
    nodes = net.nodes.reset_index()
    data = {
        "format": _FORMAT,
        "graph": graph,
        "as_of": net.as_of,
        "basis": net.basis,
        # column by column (a list per column reads back faster than a list per row)
        "nodes": {
            c: [_int(v) for v in nodes[c]]
            if c in ("start", "end")
            else [_plain(v) for v in nodes[c].tolist()]
            for c in _NODE_COLUMNS
        },
        "edges": _edge_columns(net.edges),
        "concepts": [[_plain(v) for v in row] for row in net.concepts.itertuples(False)],
        "concept_columns": list(net.concepts.columns),
        "stage_rules": None
        if net.stage_rules is None
        else [[_plain(v) for v in row] for row in net.stage_rules.itertuples(False)],
        "stage_rule_columns": None if net.stage_rules is None else list(net.stage_rules.columns),
        "ended": None
        if net.ended is None
        else [[_plain(v) for v in row] for row in net.ended.itertuples(False)],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _edge_columns(edges: pd.DataFrame) -> dict[str, Any]:
    """The links as columns of positions: into the sorted IRIs, role sets and rules they use
    (each IRI once in the file instead of once per link)."""
    out: dict[str, Any] = {}
    for column, key in (("member", "iris"), ("initiative", "iris"), ("rule", "rules")):
        out.setdefault(key, set()).update(edges[column].tolist())
    out["role_sets"] = {tuple(r) for r in edges["roles"].tolist()}
    for key in ("iris", "rules", "role_sets"):
        out[key] = sorted(out[key])
    at = {key: {v: k for k, v in enumerate(out[key])} for key in ("iris", "rules", "role_sets")}
    out["member"] = [at["iris"][v] for v in edges["member"].tolist()]
    out["initiative"] = [at["iris"][v] for v in edges["initiative"].tolist()]
    out["roles"] = [at["role_sets"][tuple(v)] for v in edges["roles"].tolist()]
    out["rule"] = [at["rules"][v] for v in edges["rule"].tolist()]
    out["role_sets"] = [list(r) for r in out["role_sets"]]
    return out


def _edges(data: dict[str, Any]) -> pd.DataFrame:
    """The links of :func:`_edge_columns`."""
    iris, rules = data["iris"], data["rules"]
    sets = [tuple(r) for r in data["role_sets"]]
    return _columns(
        {
            "member": [iris[k] for k in data["member"]],
            "initiative": [iris[k] for k in data["initiative"]],
            "roles": [sets[k] for k in data["roles"]],
            "rule": [rules[k] for k in data["rule"]],
        }
    )


def _columns(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """A frame of *columns* typed as :func:`_frame` types the same rows."""
    frame = pd.DataFrame(columns)
    for column in frame.columns:
        if column in _TUPLES and column != "roles":
            frame[column] = [tuple(v) if v is not None else v for v in frame[column]]
    return frame


def _frame(rows: list[list[Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column in _TUPLES:
            frame[column] = [tuple(v) if v is not None else v for v in frame[column]]
    return frame


def read_network(text: str | bytes) -> Network:
    """The :class:`Network` of :func:`network_json` text; ``ValueError`` when it is not one.
    Its attribute ``graph`` is the key of the graph it was read from (None if not given)."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise ValueError("not a bioeco network file of this version")
    nodes = _columns({c: data["nodes"][c] for c in _NODE_COLUMNS}).set_index("iri")
    edges = _edges(data["edges"])
    concepts = _frame(data["concepts"], data["concept_columns"])
    if "order" in concepts:
        concepts["order"] = concepts["order"].astype(float)
    rules = (
        None
        if data["stage_rules"] is None
        else _frame(data["stage_rules"], data["stage_rule_columns"])
    )
    ended = (
        None
        if data["ended"] is None
        else _frame(data["ended"], ENDED_COLUMNS).astype({"year": "int64", "dated": bool})
    )
    net = Network(nodes, edges, concepts, data["as_of"], data["basis"], rules, ended)
    net.__dict__["graph"] = data.get("graph")  # a frozen dataclass: no field of its own
    return net
