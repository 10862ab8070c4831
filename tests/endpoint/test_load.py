"""A bounded load test of bioeco serve on loopback (the full 8 x 200 run is bench/)."""

from __future__ import annotations

from bench.endpoint_load import mixed_queries, run_load


def test_eight_concurrent_clients_lose_no_answer(endpoint, capsys):
    result = run_load(endpoint.url, clients=8, per_client=12)
    with capsys.disabled():
        print("\n" + result.line())  # benchmark output; no timing is asserted
    assert result.lost == 0
    assert result.answers == 8 * 12
    assert len(mixed_queries()) >= 7
