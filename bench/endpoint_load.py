"""Load test of ``bioeco serve`` on loopback: N concurrent SPARQLWrapper clients × M queries.

Every answer is checked against the one given when the client was quiet (an answer that is
missing or different counts as lost); latency is printed as p50/p95. Benchmark output only:
nothing here asserts a time. Bounded: it stops after clients × queries requests.

Run (about a minute on a 2-CPU machine, after ``bioeco build`` and ``bioeco analyze all``)::

    .venv/bin/python -m bench.endpoint_load                  # 8 clients x 200 queries
    .venv/bin/python -m bench.endpoint_load --clients 4 --queries 50
    .venv/bin/python -m bench.endpoint_load --clients 100 --queries 20 --memory-limit 1024
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from SPARQLWrapper import JSON, SPARQLWrapper

from bioeco.serve.endpoint import DEFAULT_MEMORY_MB, Endpoint, default_graph_files, load_store
from bioeco.store.catalog import example_queries

__all__ = ["LoadResult", "main", "mixed_queries", "run_load"]


@dataclass
class LoadResult:
    """What a load run gave: ``answers`` received and correct, ``lost`` (missing or wrong),
    latency percentiles in milliseconds, and the lost answers by kind (``failures``)."""

    clients: int
    per_client: int
    answers: int
    lost: int
    p50_ms: float
    p95_ms: float
    seconds: float
    failures: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        """One readable line for the benchmark output."""
        return (
            f"{self.clients} clients x {self.per_client} queries: {self.answers} answers, "
            f"{self.lost} lost; p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, "
            f"{self.answers / self.seconds:.0f} answers/s"
        ) + "".join(f"; {n} lost as {kind}" for kind, n in sorted(self.failures.items()))


def mixed_queries() -> list[str]:
    """The example queries plus a small ASK and a COUNT: the mix every client cycles through."""
    return [q.text for q in example_queries()] + [
        "ASK { ?m a org:Membership }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    ]


def _ask(url: str, query: str) -> str:
    sparql = SPARQLWrapper(url)
    sparql.setQuery(query)
    sparql.setReturnFormat(JSON)
    result = sparql.query().convert()
    return json.dumps(result, sort_keys=True)


def run_load(url: str, clients: int = 8, per_client: int = 200) -> LoadResult:
    """Send *clients* × *per_client* queries concurrently to the endpoint at *url*."""
    queries = mixed_queries()
    expected = {q: _ask(url, q) for q in queries}
    latencies: list[float] = []
    lost = [0]
    failures: Counter[str] = Counter()
    lock = threading.Lock()

    def client(offset: int) -> None:
        for i in range(per_client):
            query = queries[(offset + i) % len(queries)]
            start = time.perf_counter()
            kind = "a different answer"
            try:
                ok = _ask(url, query) == expected[query]
            except Exception as exc:
                ok, kind = False, " ".join(str(exc).split())[:120]
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if not ok:
                    lost[0] += 1
                    failures[kind] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=20, method="inclusive")
    return LoadResult(
        clients,
        per_client,
        len(latencies) - lost[0],
        lost[0],
        statistics.median(latencies) * 1000,
        cuts[18] * 1000,
        seconds,
        failures,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Serve ``out/`` (or ``--graph`` files) on a free port and load it; print the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--queries", type=int, default=200, help="queries per client")
    parser.add_argument("--graph", action="append", type=Path, default=None)
    parser.add_argument("--memory-limit", type=int, default=DEFAULT_MEMORY_MB,
                        help="the engine's memory limit in MB (as bioeco serve)")  # fmt: skip
    args = parser.parse_args(argv)
    files = args.graph or default_graph_files()
    with tempfile.TemporaryDirectory(prefix="bioeco-load-") as tmp:
        load_store(files, Path(tmp) / "store")
        with Endpoint(Path(tmp) / "store", port=0, memory_mb=args.memory_limit) as endpoint:
            endpoint.serve_in_thread()
            result = run_load(endpoint.url, args.clients, args.queries)
            places, restarts = endpoint.max_queries, endpoint.restarts
    print(f"{result.line()}; engine limit {args.memory_limit} MB, {places} queries at once, "
          f"{restarts} restarts")  # fmt: skip
    return 0 if result.lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
