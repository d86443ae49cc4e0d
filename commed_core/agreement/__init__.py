"""Inter-coder agreement for commed's qualitative workspace.

Coefficients (:mod:`.statistics`): percent agreement, Cohen's (1960) kappa and Krippendorff's alpha
(Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability") at nominal, ordinal, interval and ratio
level. Units of analysis (:mod:`.units`): characters (as weighted elementary segments), speaker turns and
documents. Reports (:mod:`.report`): per-code and pooled statistics, and a queue of disagreements to review.
"""

from commed_core.agreement.report import (
    AgreementReport,
    CodeAgreement,
    Disagreement,
    agreement_report,
    disagreements,
)
from commed_core.agreement.statistics import (
    LEVELS,
    Level,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    percent_agreement_multi,
)
from commed_core.agreement.units import (
    UNITS,
    BinaryUnits,
    CodingSpan,
    DocumentInfo,
    Unit,
    UnitTable,
    build_unit_table,
    character_units,
    document_units,
    turn_units,
)

__all__ = [
    "LEVELS",
    "UNITS",
    "AgreementReport",
    "BinaryUnits",
    "CodeAgreement",
    "CodingSpan",
    "Disagreement",
    "DocumentInfo",
    "Level",
    "Unit",
    "UnitTable",
    "agreement_report",
    "build_unit_table",
    "character_units",
    "cohen_kappa",
    "disagreements",
    "document_units",
    "krippendorff_alpha",
    "percent_agreement",
    "percent_agreement_multi",
    "turn_units",
]
