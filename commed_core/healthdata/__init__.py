"""Streaming readers of the publishers' health and deprivation files (MHCLG IoD2019, ONS lookups, OHID
Fingertips, NHS Digital / ODS GP practice files), each yielding typed records. See :mod:`.readers`."""

from commed_core.healthdata.errors import HealthDataError
from commed_core.healthdata.postcodes import normalise_postcode, postcode_pcd7, postcode_pcd8
from commed_core.healthdata.readers import EPRACCUR_COLUMNS, LAYOUTS, Layout, detect_layout, open_reader
from commed_core.healthdata.records import (
    DomainRecord,
    FingertipsRecord,
    ImdRecord,
    LsoaWardRecord,
    PatientCountRecord,
    PopulationRecord,
    PostcodeRecord,
    PracticeGeographyRecord,
    PracticeRecord,
    QofIndicatorRecord,
    QofRecord,
    SupplementaryIndexRecord,
    WardRecord,
)

__all__ = [
    "EPRACCUR_COLUMNS",
    "LAYOUTS",
    "DomainRecord",
    "FingertipsRecord",
    "HealthDataError",
    "ImdRecord",
    "Layout",
    "LsoaWardRecord",
    "PatientCountRecord",
    "PopulationRecord",
    "PostcodeRecord",
    "PracticeGeographyRecord",
    "PracticeRecord",
    "QofIndicatorRecord",
    "QofRecord",
    "SupplementaryIndexRecord",
    "WardRecord",
    "detect_layout",
    "normalise_postcode",
    "open_reader",
    "postcode_pcd7",
    "postcode_pcd8",
]
