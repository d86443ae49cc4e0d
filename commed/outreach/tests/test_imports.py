from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from commed.outreach.lookups import area_measures
from commed.outreach.models import AreaQuintile, PostcodeIMD
from commed.outreach.tests.world import make_programme, make_pupil, make_school


def test_postcode_deciles_import_and_feed_the_pupil_record(db, tmp_path, capsys):
    path = tmp_path / "imd.csv"
    path.write_text("Postcode,IMD decile\nSE8 4AB,2\nse6 4ru,7\n")
    call_command("import_wp_postcodes", str(path))
    assert "2 postcodes imported from imd.csv" in capsys.readouterr().out
    polar = tmp_path / "polar.csv"
    polar.write_text("area,polar4_quintile,tundra_quintile\nSE8,1,\nSE84,,2\n")
    call_command("import_polar4", str(polar))
    assert area_measures(postcode="se8 4ab").__dict__ == {"imd_decile": 2, "polar4_quintile": 1,
                                                         "tundra_quintile": 2}
    assert area_measures(postcode="SE6 4RU").polar4_quintile is None
    pupil = make_pupil(make_programme(), make_school(), fsm=False, first_gen=False, young_carer=True)
    assert (pupil.imd_decile, pupil.polar4_quintile) == (2, 1)
    assert pupil.eligible and "IMD decile 2 <= 4" in pupil.eligibility_reasons


def test_a_bad_row_imports_nothing_and_names_file_row_and_column(db, tmp_path):
    PostcodeIMD.objects.create(postcode="SE84AB", imd_decile=5)
    path = tmp_path / "imd.csv"
    path.write_text("postcode,imd_decile\nSE8 4AB,3\nNOT A CODE,4\nSE6 4RU,11\n")
    with pytest.raises(CommandError) as failure:
        call_command("import_wp_postcodes", str(path))
    message = str(failure.value)
    assert "imd.csv, row 3, column A “postcode”: 'NOT A CODE' is not a full UK postcode." in message
    assert "imd.csv, row 4, column B “imd_decile”: '11' is not a whole number from 1 to 10." in message
    assert PostcodeIMD.objects.get().imd_decile == 5  # unchanged: all or nothing


def test_a_polar4_row_without_any_quintile_is_refused(db, tmp_path):
    path = tmp_path / "polar.csv"
    path.write_text("area,polar4_quintile\nSE8,\n")
    with pytest.raises(CommandError, match="row 2: neither a POLAR4 nor a TUNDRA quintile"):
        call_command("import_polar4", str(path))
    assert not AreaQuintile.objects.exists()


def test_without_an_own_lookup_the_imd_decile_comes_from_the_national_data_of_the_health_app(db):
    from commed.health.tests.files import file1, load, postcodes

    load("imd", file1([("E01003189", 3), ("E01003190", 8)]), "File_1_small.csv")
    load("postcodes", postcodes([("SE6 4RU", "E01003189"), ("SE6 4RX", "E01003190")]), "postcodes_small.csv")
    assert area_measures(postcode="se64ru").imd_decile == 3
    assert area_measures(postcode="SE6 4RX").imd_decile == 8
    assert area_measures(postcode="SE6 9ZZ").imd_decile is None  # not in the lookup: unknown, never eligible
    PostcodeIMD.objects.create(postcode="SE64RU", imd_decile=6)  # the outreach lookup, when given, comes first
    assert area_measures(postcode="SE6 4RU").imd_decile == 6
