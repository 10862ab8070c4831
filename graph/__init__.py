"""bioeco: a knowledge graph of the bioeconomy ecosystem.

The public API is re-exported here so notebooks and scripts can write
``import graph as bioeco`` and reach every step of the pipeline.
"""

from graph.errors import (
    BioecoError,
    DataError,
    QueryError,
    UsageError,
    ValidationFailed,
)

__all__ = [
    "BioecoError",
    "DataError",
    "QueryError",
    "UsageError",
    "ValidationFailed",
]

__version__ = "0.1.0"
