"""Value-chain gaps: sector × stage coverage, survey comparison and structural sector gaps.

The three gap tables live in modules of their own: :mod:`bioeco.analyses.valuechain`
(``gaps_coverage``: :func:`coverage`, :func:`coverage_matrix`), :mod:`bioeco.analyses.survey`
(``gaps_survey``: :func:`survey_comparison`) and :mod:`bioeco.analyses.sectorgaps`
(``gaps_structural``: :func:`structural_gaps`, :func:`p_none`, :func:`shuffled_counts`), with
:mod:`bioeco.analyses.gapshared` (:func:`bh_adjust` …) shared by them. Their names import from
here as well.
"""

from __future__ import annotations

from bioeco.analyses.gapshared import bh_adjust
from bioeco.analyses.sectorgaps import STRUCTURAL_COLUMNS, p_none, shuffled_counts, structural_gaps
from bioeco.analyses.survey import SURVEY_COLUMNS, survey_comparison
from bioeco.analyses.valuechain import COVERAGE_COLUMNS, coverage, coverage_matrix

__all__ = [
    "COVERAGE_COLUMNS",
    "STRUCTURAL_COLUMNS",
    "SURVEY_COLUMNS",
    "bh_adjust",
    "coverage",
    "coverage_matrix",
    "p_none",
    "shuffled_counts",
    "structural_gaps",
    "survey_comparison",
]
