"""A tiny two-source dataset (2017 national, 2021 northern) for the change-analysis examples."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

from rdflib import Dataset

__all__ = ["CHANGE_TABLES_CSV", "example_dataset", "write_example_data"]

#: The tables of the example, by path below the data folder.
CHANGE_TABLES_CSV: dict[str, str] = {
    "sources.csv": (
        "id,title,issued,publisher,language,file,covers,coverage\n"
        "early,Kartlegging 2017,2017-03-03,old-net,nb,early.txt,,norway\n"
        "late,Årsrapport 2021,2022,north,nb,late.txt,2021,nord-norge\n"
    ),
    "early/actors.csv": (
        "id,label,type,source,locator\n"
        "alpha,Alpha Marin,company,early,l. 10\n"
        "beta,Beta Forskning,research-institute,early,l. 11\n"
        "epsilon,Epsilon Helse,company,early,l. 12\n"
    ),
    "early/initiatives.csv": (
        "id,label,type,start,end,source,locator\n"
        "old-net,Gammelt nettverk,network,,2019,early,l. 20\n"
        "early-project,Tidlig prosjekt,project,2015,2017,early,l. 21\n"
    ),
    "early/memberships.csv": (
        "member,organization,role,source,locator\n"
        "alpha,old-net,member,early,l. 30\n"
        "beta,old-net,member,early,l. 31\n"
        "epsilon,old-net,member,early,l. 32\n"
        "alpha,early-project,partner,early,l. 33\n"
        "beta,early-project,partner,early,l. 34\n"
    ),
    "early/classifications.csv": (
        "subject,scheme,concept,basis,source,locator\n"
        "alpha,sector,marine,stated,early,l. 40\n"
        "alpha,stage,research,stated,early,l. 40\n"
        "alpha,region,tromso,stated,early,l. 40\n"
        "beta,sector,knowledge,stated,early,l. 41\n"
        "beta,stage,research,stated,early,l. 41\n"
        "beta,region,tromso,stated,early,l. 41\n"
        "epsilon,sector,health,stated,early,l. 42\n"
        "epsilon,stage,commercialisation,stated,early,l. 42\n"
        "epsilon,region,oslo-region,stated,early,l. 42\n"
    ),
    "late/actors.csv": (
        "id,label,type,source,locator\n"
        "gamma,Gamma Bio,company,late,l. 5\n"
        "delta,Delta Helse,company,late,l. 6\n"
    ),
    "late/aliases.csv": "subject,alias,source,locator\nalpha,Alpha AS,late,l. 4\n",
    "late/initiatives.csv": (
        "id,label,label_en,type,start,source,locator\n"
        "north,Nordklyngen,North Cluster,cluster,2019,late,l. 1\n"
    ),
    "late/memberships.csv": (
        "member,organization,role,start,observed,source,locator\n"
        "alpha,north,member,,2021,late,l. 4\n"
        "gamma,north,member,2021,,late,l. 5\n"
        "delta,north,member,,2021,late,l. 6\n"
    ),
    "late/classifications.csv": (
        "subject,scheme,concept,basis,citation,source,locator,note\n"
        "north,region,tromso,stated,,late,l. 1,\n"
        "gamma,sector,marine,stated,,late,l. 50,\n"
        "gamma,stage,sales,stated,,late,l. 50,\n"
        "gamma,region,tromso,stated,,late,l. 50,\n"
        "delta,sector,health,stated,,late,l. 51,\n"
        "delta,stage,research,stated,,late,l. 51,\n"
        "delta,region,nord-norge,external,Register 2021,late,l. 51,\n"
    ),
    "late/changes.csv": (
        "id,type,original,resulting,date,basis,citation,source,locator,note\n"
        "beta-into-gamma,merger,beta,gamma,2020,stated,,late,l. 60,\n"
        "epsilon-into-delta,acquisition,epsilon,delta,,external,Company register 2020,late,"
        "l. 6,Not in either source\n"
    ),
}


def write_example_data(folder: Path | str) -> Path:
    """Write the example tables below *folder*; return it.

    Examples
    --------
    >>> import tempfile
    >>> sorted(p.name for p in write_example_data(tempfile.mkdtemp()).glob("*.csv"))
    ['sources.csv']
    """
    from bioeco.core.atomic import atomic_write

    base = Path(folder)
    for rel, text in CHANGE_TABLES_CSV.items():
        atomic_write(base / rel, text, make_folder=True)  # a folder the caller named
    return base


@lru_cache(maxsize=1)
def _built() -> Dataset:
    from bioeco.ingest.build import build_dataset

    with tempfile.TemporaryDirectory() as tmp:
        return build_dataset(write_example_data(tmp))


def example_dataset() -> Dataset:
    """The example built as a dataset (one named graph per source; cached, do not modify).

    Examples
    --------
    >>> from bioeco.analyses.change import spanned_years
    >>> spanned_years(example_dataset())
    [2017, 2021]
    """
    return _built()
