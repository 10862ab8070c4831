"""Oxigraph stores of a build's quads: load_store, and StoreFeed loading chunks as they are made."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pyoxigraph as ox

from bioeco.errors import output_errors

__all__ = [
    "StoreFeed",
    "load_store",
]


@output_errors
def load_store(nquads: bytes, path: Path | None = None) -> ox.Store:
    """A new Oxigraph store (in memory, or on disk at *path*) bulk-loaded with the N-Quads
    text *nquads* (:meth:`BuiltGraph.nquads`); a store that cannot be written (a full disk)
    is an :class:`~bioeco.errors.OutputError`."""
    store = ox.Store(str(path)) if path is not None else ox.Store()
    store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
    if path is not None:
        store.flush()
    return store


class StoreFeed:
    """A new Oxigraph store (in memory, or on disk at *path*) that bulk-loads TriG chunks
    on background threads while the caller makes the next ones (:func:`build_quads`'s
    *sink*): Oxigraph releases the GIL while it loads, so the store is built alongside the
    Python work instead of after it.

    Each chunk is one ``bulk_load`` (its own sorted files in the store, as Oxigraph's own
    batches of a million quads are: more, smaller chunks make the store's queries slower);
    *threads* chunks load at a time (one by default; ``bioeco build`` loads two at once, its
    chunks of 0.25 M, 0.5 M and 1 M rows then peak at 1.6 GB at scale 100, where chunks of
    0.5 M and 1 M took it to 2.2 GB), at most *depth* more wait. *lenient* skips Oxigraph's
    IRI and language-tag checks: only for quads whose terms are also checked strictly
    elsewhere (the build's TriG writer checks every term and removes the store when that
    fails). Call
    :meth:`close` for the loaded store (the first error of a load is raised there), or
    :meth:`abort` to stop.
    """

    def __init__(
        self, path: Path | None = None, *, threads: int = 1, depth: int = 4, lenient: bool = False
    ) -> None:
        self.store = _open_store(path)
        self.path = path
        self.lenient = lenient
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._errors: list[BaseException] = []
        self._threads = [
            threading.Thread(target=self._work, name=f"bioeco-store-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def __call__(self, chunk: bytes) -> None:
        """Queue *chunk* (TriG bytes) for loading; raises a load's error early."""
        if self._errors:
            self._raise()
        self._queue.put(chunk)

    def _work(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._errors:
                continue  # drain: the caller sees the error at the next chunk or at close
            try:
                self.store.bulk_load(input=chunk, format=ox.RdfFormat.TRIG, lenient=self.lenient)
            except BaseException as exc:  # handed to the caller's thread
                self._errors.append(exc)

    def _join(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def abort(self) -> None:
        """Stop after the loads under way (their data is not wanted); never raises."""
        self._errors.append(RuntimeError("aborted"))
        self._join()

    def close(self) -> ox.Store:
        """Wait for every chunk, flush an on-disk store to disk and return the store."""
        self._join()
        if self._errors:
            self._raise()
        if self.path is not None:
            _flush(self.store)
        return self.store

    @output_errors
    def _raise(self) -> None:
        raise self._errors[0]


@output_errors
def _open_store(path: Path | None) -> ox.Store:
    return ox.Store(str(path)) if path is not None else ox.Store()


@output_errors
def _flush(store: ox.Store) -> None:
    store.flush()
