"""TriG and Turtle text of sorted key rows, written as Oxigraph's serializer writes them.

:func:`bioeco.ingest.export.serialize_built` used to hand the sorted N-Quads text to Oxigraph,
which parsed it into one Python object per quad and wrote it back with the project's
prefixes. The layout of that output is simple (a subject, its predicates after ``;``, its
objects after ``,``; a tab before each line inside a graph), so it is made here from the
rows directly; each distinct term is turned into its Turtle form once (:class:`TurtleTerms`),
by the rules of Oxigraph's Turtle serializer (oxttl 0.5: the longest namespace whose
local name can be written, ``a`` for ``rdf:type``, numbers and booleans bare when
their lexical form is Turtle's, literals quoted as N-Triples quotes them). Tests compare the
bytes with Oxigraph's on the data, the fixtures and generated terms.

Every IRI and language tag is checked as Oxigraph's strict parser checked them (the store
loads the same quads without those checks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox

from bioeco.core.vocab import XSD

__all__ = ["TurtleTerms", "prefix_lines", "write_graph", "write_rows"]


_XSD_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"  # langString, dirLangString
_BARE = {
    str(XSD.boolean): lambda v: v in ("true", "false"),
    str(XSD.integer): re.compile(r"[+-]?[0-9]+").fullmatch,
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+").fullmatch,
    str(XSD.double): re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+").fullmatch,
}
"""Datatypes whose literals Oxigraph writes bare when the lexical form matches Turtle's."""

# characters print_quoted_str (oxrdf) escapes: their literals take the exact path
_QUOTED = re.compile('[\\\\"\x00-\x1f\x7f\ufffe\uffff]')

# PN_CHARS_BASE, PN_CHARS_U and PN_CHARS of the Turtle grammar (as oxttl's lexer has them)
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = f"{_BASE}_\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_LOCAL_PLAIN = re.compile(f"[{_BASE}_:0-9][{_PN_CHARS}:]*")
_ESCAPED = "~!$&'()*+,;=/?#@%"  # escapable and never plain (``_``, ``-`` and ``.`` can be)
_UNWRITABLE = re.compile(f"[^{_PN_CHARS}:.{re.escape(_ESCAPED)}]")


def _escape_local_name(local: str) -> str | None:
    """*local* (not empty) as a Turtle local name, ``\\``-escaping what may be escaped, or
    ``None`` when it cannot be one (oxttl's ``escape_local_name``: the first character a
    PN_CHARS_U, ``:``, a digit or escaped; the others PN_CHARS, ``:``, ``.`` but last, or
    escaped).

    Examples
    --------
    >>> _escape_local_name("scheme/actor-type"), _escape_local_name("-a.b.")
    ('scheme\\\\/actor-type', '\\\\-a.b\\\\.')
    >>> _escape_local_name("a b") is None, _escape_local_name("\u00b7a") is None
    (True, True)
    """
    if _LOCAL_PLAIN.fullmatch(local) and local[-1] != ".":
        return local
    if _UNWRITABLE.search(local):
        return None
    first, last = local[0], local[-1]
    if not (first in _ESCAPED or first in "-." or _LOCAL_PLAIN.match(first)):
        return None  # U+00B7, a combining mark or U+203F-2040 cannot start a local name
    out = local
    for c in _ESCAPED:
        if c in out:
            out = out.replace(c, "\\" + c)
    if first in "-.":
        out = "\\" + out
    if last == "." and len(local) > 1:
        out = out[:-1] + "\\."
    return out


def prefix_lines(prefixes: Mapping[str, str]) -> bytes:
    """The ``@prefix`` lines of *prefixes*, sorted (as the written files have them)."""
    lines = sorted(f"@prefix {name}: <{iri}> ." for name, iri in prefixes.items())
    return "\n".join(lines).encode()


class TurtleTerms(dict):
    """Turtle form of each term key (rdflib's ``n3()`` form, or the type placeholder),
    computed once: ``terms[key]``. *nt* maps the keys whose N-Triples form differs from
    them (multi-line literals) to that form; *type_key* is written ``a``."""

    def __init__(self, prefixes: Mapping[str, str], nt: Mapping[str, str], type_key: str) -> None:
        super().__init__()
        # oxttl tries the namespaces longest first (no two are equal)
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        by_length = "|".join(re.escape(namespace) for _name, namespace in self.prefixes)
        self.names = {namespace: name for name, namespace in self.prefixes}
        self.longest = re.compile(f"(?:{by_length})" if by_length else "(?!)")
        self.nt = nt
        self.iris: dict[str, str] = {}
        self.langs: set[str] = set()
        self[type_key] = "a"

    def __missing__(self, key: str) -> str:
        text = self.nt.get(key, key)
        if text[0] == "<":
            term = self.iri(text[1:-1]) if "\\" not in text else self._exact(text)
        elif text[0] == '"':
            term = self._literal(text)
        elif text.startswith("_:"):
            term = text
        else:
            raise ValueError(f"not an RDF term: {text[:60]}")
        self[key] = term
        return term

    def iri(self, iri: str) -> str:
        """Turtle form of the IRI *iri* (checked as Oxigraph's parser checks it)."""
        done = self.iris.get(iri)
        if done is not None:
            return done
        ox.NamedNode(iri)  # ValueError for an invalid IRI
        done = f"<{iri}>"
        longest = self.longest.match(iri)
        if longest is not None:
            local = iri[longest.end() :]
            escaped = _escape_local_name(local) if local else ""
            if escaped is not None:
                done = f"{self.names[longest.group()]}:{escaped}"
            else:  # the next namespaces, as oxttl tries them (longest first)
                for name, namespace in self.prefixes:
                    local = iri[len(namespace) :]
                    if iri.startswith(namespace) and local:
                        escaped = _escape_local_name(local)
                        if escaped is not None:
                            done = f"{name}:{escaped}"
                            break
        self.iris[iri] = done
        return done

    def _literal(self, text: str) -> str:
        end = text.rindex('"')
        value = text[1:end]
        if end == 0 or _QUOTED.search(value):
            return self._exact(text)
        suffix = text[end + 1 :]
        if not suffix:
            return text
        if suffix[0] == "@":
            lang = suffix[1:]
            if lang not in self.langs:
                ox.Literal("", language=lang)  # ValueError for an invalid tag
                self.langs.add(lang)
            return f'"{value}"@{lang.lower()}' if not lang.islower() else text
        if not suffix.startswith("^^<") or suffix.startswith(_LANG_STRING, 3):
            return self._exact(text)  # rdf:langString without a tag: refused there
        return self._typed(value, f'"{value}"', suffix[3:-1])

    def _typed(self, value: str, quoted: str, datatype: str) -> str:
        if datatype == _XSD_STRING:
            return quoted
        bare = _BARE.get(datatype)
        if bare is not None and bare(value):
            self.iri(datatype)
            return value
        return f"{quoted}^^{self.iri(datatype)}"

    def _exact(self, text: str) -> str:
        """A term with escapes or characters that must be escaped: read by Oxigraph."""
        line = f"<x:s> <x:p> {text} .\n".encode()
        term = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))).object
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        quoted = str(ox.Literal(term.value))
        if term.language:
            return f"{quoted}@{term.language}"
        return self._typed(term.value, quoted, term.datatype.value)


def write_rows(keys: Iterable[list[str]], terms: TurtleTerms, indent: str) -> Iterator[str]:
    """Turtle statements of the sorted keys (``s p o `` each, trailing space), in pieces
    (one per list of *keys*): what Oxigraph writes for the same triples in the same order,
    each subject line after *indent* (a tab inside a graph), without the last `` .``."""
    subject = predicate = None
    tail = f" ;\n{indent}\t"
    start = f" .\n{indent}"
    for chunk in keys:
        out = []
        add = out.append
        for key in chunk:
            s, p, o = key.split(" ", 2)
            if s == subject:
                if p == predicate:
                    add(" , ")
                    add(terms[o[:-1]])
                else:
                    predicate = p
                    add(tail)
                    add(terms[p])
                    add(" ")
                    add(terms[o[:-1]])
            else:
                if subject is None:
                    add(indent)
                else:
                    add(start)
                subject, predicate = s, p
                add(terms[s])
                add(" ")
                add(terms[p])
                add(" ")
                add(terms[o[:-1]])
        yield "".join(out)


def write_graph(name: str | None, keys: Iterable[list[str]], terms: TurtleTerms) -> Iterator[str]:
    """The TriG block of the graph *name* (its sorted keys), or Turtle (*name* ``None``)."""
    empty = True
    if name is None:
        for piece in write_rows(keys, terms, ""):
            empty = empty and not piece
            yield piece
        if not empty:
            yield " .\n"
        return
    head = f"{terms.iri(name)} {{\n"
    for piece in write_rows(keys, terms, "\t"):
        if piece and empty:
            empty = False
            yield head
        yield piece
    if not empty:
        yield " .\n}\n"
