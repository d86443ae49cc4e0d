"""Every real publisher's file in shared/external/health goes through the `commed import` commands.

Importing the 32,844-row national files is slow enough that it happens once, in one test that checks everything
about it (counts, spot values computed here with the csv module, versions, a profile on real data).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from commed.health import selectors, services
from commed.health.models import (
    DataRelease,
    GpPractice,
    Indicator,
    IndicatorSummary,
    IndicatorValue,
    LsoaDeprivation,
    LsoaPopulation,
    LsoaSupplementary,
    LsoaWard,
    Postcode,
    PracticeGeography,
    QofGroup,
    QofPrevalence,
    RegisteredPatients,
    WardName,
)

# (command, file, layout, kind)
FILES = [
    ("imd", "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv", "iod2019_file1", "imd"),
    ("imd", "File_2_-_IoD2019_Domains_of_Deprivation.csv", "iod2019_file2", "imd"),
    ("imd", "File_6_-_IoD2019_Population_Denominators.csv", "iod2019_file6", "population"),
    ("imd", "london_GLA_ID2019_sheet_IMD2019.csv", "iod2019_file7", "imd"),
    ("imd", "london_GLA_ID2019_sheet_Population_figures.csv", "iod2019_file6", "population"),
    ("imd", "london_GLA_ID2019_sheet_IDACI_IDAOPI.csv", "iod2019_file3", "supplementary"),
    ("imd", "lewisham_imd2019_lsoa11.csv", "lewisham_imd2019", "imd"),
    ("postcodes", "lewisham_postcode_oa11_lsoa11_msoa11_wd22.csv", "lewisham_postcode", "postcodes"),
    ("postcodes", "lsoa11_ward19_lad19_lookup_ew.csv", "ons_lsoa_ward_lad", "lsoa_wards"),
    ("postcodes", "lewisham_lsoa11_wd22.csv", "lewisham_lsoa_ward", "lsoa_wards"),
    ("postcodes", "lewisham_wd22_names.csv", "lewisham_ward_names", "ward_names"),
    ("gp-practices", "epraccur.csv", "epraccur", "gp_practices"),
    ("gp-practices", "gp-reg-pat-prac-all_Jan2021.csv", "gp_reg_pat_prac_all", "gp_patients"),
    ("gp-practices", "qof2021_PREVALENCE_2021_v2.csv", "qof_prevalence", "qof_prevalence"),
    ("gp-practices", "qof2021_MAPPING_INDICATORS_2021_v2.csv", "qof_mapping_indicators", "qof_indicators"),
    ("gp-practices", "qof2021_MAPPING_NHS_GEOGRAPHIES_2021.csv", "qof_mapping_geographies", "qof_geographies"),
    ("fingertips", "fingertips_gp_practice_imd2019_score_93553_indicator-data.csv", "fingertips_27", "fingertips"),
    ("fingertips", "fingertips_indicators-CountyUA.data.csv", "fingertips_26", "fingertips"),
]


def commed_import(kind: str, path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("import_" + kind.replace("-", "_"), str(path), *extra, stdout=out)
    return out.getvalue()


def raw(path: Path, header: bool = True) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    return rows[1:] if header else rows


def number(cell: str) -> int:
    return int(cell.replace(",", ""))


def test_every_real_file_imports_through_the_commands_with_its_counts_and_values(
    external: Path, personas
) -> None:
    health = external / "health"
    assert {p.name for p in health.glob("*.csv")} == {name for _, name, _, _ in FILES}
    for command, name, layout, kind in FILES:
        summary = commed_import(command, health / name, "--actor", "lead")
        release = DataRelease.objects.get(source_file=name, is_current=True)
        assert (release.layout, release.kind, release.imported_by) == (layout, kind, personas.lead), name
        assert release.row_count == len(raw(health / name, header=layout != "epraccur")), name
        assert f"{release.row_count:,} rows" in summary

    def rows_of(name: str) -> int:
        return DataRelease.objects.get(source_file=name).row_count

    # IMD: File 2 replaced File 1 (same kind and scope: national); the London sheet and Lewisham coexist.
    file1, file2 = (DataRelease.objects.get(source_file=FILES[i][1]) for i in (0, 1))
    assert not file1.is_current and file1.superseded_by == file2 and file2.is_current
    assert file2.scope == "national"
    assert LsoaDeprivation.objects.filter(release=file1).count() == 32_844  # history kept
    file1_row = next(r for r in raw(health / FILES[0][1]) if r[0] == "E01003189")
    f1 = LsoaDeprivation.objects.get(release=file1, lsoa_code="E01003189")
    assert (f1.imd_rank, f1.imd_decile, f1.lad_name) == (number(file1_row[4]), int(file1_row[5]), "Lewisham") == (
        3400, 2, "Lewisham")
    file2_row = raw(health / FILES[1][1])[0]
    f2 = LsoaDeprivation.objects.get(release=file2, lsoa_code=file2_row[0])
    assert f2.domains["Income"][:2] == [number(file2_row[6]), int(file2_row[7])]
    assert f2.domains["Living Environment"][:2] == [number(file2_row[18]), int(file2_row[19])]
    gla = DataRelease.objects.get(source_file=FILES[3][1])
    assert gla.is_current and gla.scope.startswith("33 local authorities")
    g = LsoaDeprivation.objects.get(release=gla, lsoa_code="E01003189")
    assert (g.imd_score, g.domains["Income"]) == (43.296, [3349, 2, 0.266])
    pop_row = raw(health / FILES[2][1])[0]
    population = LsoaPopulation.objects.get(release__source_file=FILES[2][1], lsoa_code=pop_row[0])
    assert population.total == number(pop_row[4])
    assert LsoaSupplementary.objects.filter(release__source_file=FILES[5][1]).count() == 4_835
    # Lookups and postcodes.
    assert Postcode.objects.count() == rows_of(FILES[7][1]) == 8_419
    assert Postcode.objects.filter(terminated=True).count() == 3_450
    assert Postcode.objects.get(postcode="BR1 4BY").lsoa_code == "E01003235"
    assert LsoaWard.objects.filter(release__layout="ons_lsoa_ward_lad").count() == 34_753
    assert WardName.objects.get(ward_code="E05013714").ward_name == "Bellingham"
    # GP practices, patients, QOF.
    assert GpPractice.objects.get(code="A81001").name == "THE DENSHAM SURGERY"
    assert sum(RegisteredPatients.objects.values_list("patients", flat=True)) == 60_606_345
    assert QofPrevalence.objects.count() == 137_991
    first_qof = raw(health / FILES[13][1])[0]
    q = QofPrevalence.objects.get(practice_code=first_qof[0], group_code=first_qof[1])
    assert (q.register, q.list_size) == (int(first_qof[2]), int(first_qof[4]))
    assert QofGroup.objects.count() == 68
    assert PracticeGeography.objects.get(practice_code="A81001").pcn_name == "Stockton PCN"
    # Fingertips: both layouts; suppressed values kept as None with their note, never zero.
    assert IndicatorValue.objects.filter(indicator_id=93553).count() == 6_547
    scilly = IndicatorValue.objects.get(indicator_id=93356, area_code="E06000053", period="2015", age="All ages")
    assert scilly.value is None and scilly.value_note == "Value for Cornwall & Isles of Scilly combined"
    assert not IndicatorValue.objects.filter(value=0).exists()
    assert Indicator.objects.get(indicator_id=93356).polarity == "RAG - Low is good"  # inferred from Better/Worse
    assert Indicator.objects.get(indicator_id=93553).polarity == "Not applicable"
    spread = IndicatorSummary.objects.get(indicator_id=93553, area_type="GP")
    assert spread.areas == 6_545 and spread.england == pytest.approx(21.7220870988933)

    # A profile on real data: Lewisham as a local authority.
    lewisham = services.locality_create(actor=personas.lead, name="Lewisham", kind="lad", codes=["E09000023"])
    profile = selectors.locality_profile(locality=lewisham)
    assert len(profile.lsoas) == 169
    expected = sum(number(r[4]) for r in raw(health / FILES[2][1]) if r[2] == "E09000023")
    assert profile.population == expected
    by_decile = {}
    for r in raw(health / FILES[0][1]):
        if r[2] == "E09000023":
            by_decile[r[0]] = int(r[5])
    populations = {r[0]: number(r[4]) for r in raw(health / FILES[2][1]) if r[2] == "E09000023"}
    core20 = sum(p for code, p in populations.items() if by_decile[code] <= 2) / expected
    assert profile.core20_share == pytest.approx(core20)
    # Our significance (CI against England, by the inferred polarity) agrees with Fingertips' own words.
    campylobacter = sorted((i for i in profile.indicators if i.indicator_id == 93356), key=lambda i: i.age)
    assert [(i.age, i.period, i.comparison, i.periods) for i in campylobacter] == [
        ("0-9 yrs", "2016", "similar", 2), ("All ages", "2017", "better", 3)]
    for row in campylobacter:
        assert IndicatorValue.objects.get(pk=row.value_id).compared_to_england.lower() == row.comparison
    practice = services.locality_create(actor=personas.lead, name="Densham", kind="practice", codes=["A81001"])
    densham = selectors.locality_profile(locality=practice)
    patients = next(number(r[9]) for r in raw(health / FILES[12][1]) if r[5] == "A81001")
    assert densham.population == patients
    assert [i.value for i in densham.indicators] == [pytest.approx(32.3609392614188)]

    # Re-importing a newer release replaces the current one and keeps the old one as history.
    old = DataRelease.objects.get(source_file=FILES[17][1], is_current=True)
    out = commed_import("fingertips", health / FILES[17][1], "--release", "Fingertips 2019 refresh")
    new = DataRelease.objects.get(source_file=FILES[17][1], is_current=True)
    old.refresh_from_db()
    assert "replaces 1 earlier release" in out
    assert (new.release_label, old.is_current, old.superseded_by) == ("Fingertips 2019 refresh", False, new)
    assert IndicatorValue.objects.filter(release=old).count() == IndicatorValue.objects.filter(release=new).count()
    profile = selectors.locality_profile(locality=lewisham)
    assert {i.release for i in profile.indicators if i.indicator_id == 93356} == {new}
