"""Themes table in four formats, matrices, counts, search and agreement (services and the `qda` command)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document as Docx
from openpyxl import load_workbook

from commed.accounts.models import User
from commed.audit.models import Action, AuditEvent
from commed.qualitative import exports, selectors, services
from commed.qualitative.agreement import study_agreement
from commed.qualitative.models import Code, Study
from commed.qualitative.tests.factories import researcher, small_study

pytestmark = pytest.mark.django_db


@dataclass
class Coded:
    study: Study
    code: Code
    money: Code
    second: User


@pytest.fixture
def coded(db: None) -> Coded:
    owner = researcher("owner_a")
    small = small_study(owner, "coded")
    second = researcher("second_a")
    services.study_member_set(study=small.study, by=owner, user=second, can_code=True, blind=True)
    power = services.code_create(study=small.study, by=owner, name="Power")
    money = services.code_create(study=small.study, by=owner, name="Money", parent=power,
                                 definition="Who holds the budget.")
    c01 = small.document.turns.get(speaker="C01")
    p05 = small.document.turns.get(speaker="1P05")
    services.coding_create_for_turn(turn=c01, code=money, by=owner)
    services.coding_create_for_turn(turn=small.turn, code=money, by=owner)  # co-occurs with Equal partners
    services.coding_create_for_turn(turn=c01, code=money, by=second)
    services.coding_create_for_turn(turn=p05, code=money, by=second)  # a disagreement
    services.coding_create_for_turn(turn=small.turn, code=small.code, by=second)
    services.theme_quote_add(code=small.code, coding=small.coding, by=owner)
    quote = services.coding_create_for_turn(turn=c01, code=money, by=owner)
    services.theme_quote_add(code=money, coding=quote, by=owner)
    return Coded(small.study, small.code, money, second)


def test_the_themes_table_groups_concepts_under_themes_with_quotes_and_counts(coded) -> None:
    rows = selectors.themes_table(study=coded.study)
    assert [r.name for r in rows] == ["Reciprocity", "Power"]
    reciprocity = rows[0]
    assert (reciprocity.documents, reciprocity.speakers) == (1, 1)
    (concept,) = reciprocity.concepts
    assert concept.name == "Equal partners"
    assert concept.description == "Partners describe being treated as equals."
    assert concept.quotes[0].text.startswith("We were equals from the start.")
    assert concept.quotes[0].speaker == "2P14"
    assert rows[1].speakers == 3


def test_the_themes_table_reads_back_in_all_four_formats(coded, tmp_path: Path) -> None:
    for fmt in exports.FORMATS:
        call_command("qda", "themes-table", "coded", "--format", fmt, "--out", str(tmp_path / f"t.{fmt}"),
                     stdout=io.StringIO())
    doc = Docx(str(tmp_path / "t.docx"))
    table = doc.tables[0]
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    assert texts[0] == ["Concept", "Description", "Illustrative quotes"]
    assert texts[1][0].startswith("Reciprocity (1 document, 1 speaker)")
    assert texts[1][0] == texts[1][2]  # the theme row spans the table (merged)
    assert texts[2][0] == "Equal partners"
    assert texts[2][2].startswith("“We were equals from the start.") and texts[2][2].endswith("(2P14)")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[1] == ["Concept", "Description", "Illustrative quotes"]
    assert values[2][0].startswith("Reciprocity")
    assert "A2:C2" not in [str(r) for r in sheet.merged_cells.ranges] and "A3:C3" in [
        str(r) for r in sheet.merged_cells.ranges]
    assert values[3][2].endswith("(2P14)")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text("utf-8-sig"))))
    assert rows[0]["Theme"] == "Reciprocity" and rows[0]["Speaker"] == "2P14"
    assert rows[0]["Quote"].startswith("We were equals")
    markdown = (tmp_path / "t.md").read_text()
    assert "| **Reciprocity (1 document, 1 speaker)** | | |" in markdown
    assert "(2P14)" in markdown and "(C01)" in markdown
    assert AuditEvent.objects.filter(action=Action.EXPORT, summary__startswith="themes table").count() == 4


def test_the_code_by_attribute_matrix_counts_codings_by_participant_value(coded) -> None:
    variable = coded.study.variables.get(name="Focus group")
    matrix = selectors.matrix_code_by_attribute(study=coded.study, user=coded.study.owner, variable=variable)
    assert matrix.columns == ["FG1", "FG2"]
    cells = {code.name: row for code, row in zip(matrix.rows, matrix.cells, strict=True)}
    assert cells["Money"] == [4, 1]  # C01 x3 and 2P14 in FG1; 1P05 in FG2
    assert cells["Equal partners"] == [2, 0]


def test_the_cooccurrence_matrix_counts_codes_in_the_same_turn(coded) -> None:
    pairs = selectors.cooccurrence_pairs(study=coded.study, user=coded.study.owner)
    key = tuple(sorted((coded.code.pk, coded.money.pk)))
    assert pairs == {key: 2}  # two Equal-partners codings x one Money coding in 2P14's turn
    blind = selectors.cooccurrence_pairs(study=coded.study, user=coded.second)
    assert blind == {}


def test_counts_by_document_and_speaker(coded) -> None:
    by_speaker = {r["participant__code"]: r["codings"] for r in
                  selectors.counts_by_speaker(study=coded.study, user=coded.study.owner)}
    assert by_speaker == {"2P14": 3, "C01": 3, "1P05": 1}
    (row,) = selectors.counts_by_document(study=coded.study, user=coded.study.owner)
    assert (row["codings"], row["coders"]) == (7, 2)


def test_search_finds_turns_with_all_words_in_context(coded) -> None:
    hits = selectors.segments_search(study=coded.study, query="students came")
    assert [h.speaker for h in hits] == ["C01"]
    assert hits[0].snippet_match == "students" or hits[0].snippet_match == "came"
    assert selectors.segments_search(study=coded.study, query='" OR * NEAR(') == []
    assert selectors.segments_search(study=coded.study, query="nothing-like-this") == []


def test_agreement_at_three_units_and_the_review_queue(coded) -> None:
    turn = study_agreement(study=coded.study, unit="turn")
    assert len(turn.report.coders) == 2
    money = next(r for r in turn.report.per_code if r.code == str(coded.money.pk))
    # Money over 4 turns: owner {2P14, C01}, second {1P05, C01}: agree on 2 of 4.
    assert money.units == 4 and money.percent_agreement == pytest.approx(0.5)
    queue = [(d.code, d.turn) for d in turn.queue]
    assert (str(coded.money.pk), 1) in queue and (str(coded.money.pk), 2) in queue
    document = study_agreement(study=coded.study, unit="document")
    assert document.queue == [] or all(d.code != str(coded.money.pk) for d in document.queue)
    out = io.StringIO()
    call_command("qda", "agreement", "coded", "--unit", "character", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["unit"] == "character" and len(data["coders"]) == 2
    assert data["overall"]["units"] > 0
    call_command("qda", "agreement", "coded", "--unit", "turn", stdout=out)
    assert "OVERALL" in out.getvalue()


def _oracle(rows: list[list[int]]) -> tuple[float, float, float]:
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    a, b = rows
    percent = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    return (percent, float(cohen_kappa_score(a, b)),
            float(krippendorff.alpha(reliability_data=[[float(v) for v in r] for r in rows],
                                     level_of_measurement="nominal")))


def test_the_study_agreement_equals_the_oracles_at_turn_and_document_units(coded) -> None:
    """Per code and pooled, against scikit-learn's kappa and the krippendorff package on hand-made tables."""
    # Turns: Facilitator, 2P14, 1P05, C01. Coders in creation order: the owner, then the blind second coder.
    by_code = {
        coded.money.pk: [[0, 1, 0, 1], [0, 0, 1, 1]],
        coded.code.pk: [[0, 1, 0, 0], [0, 1, 0, 0]],
    }
    turn = study_agreement(study=coded.study, unit="turn")
    for row in turn.report.per_code:
        assert row.code is not None
        if int(row.code) in by_code and len(set(map(tuple, by_code[int(row.code)]))) > 1:
            percent, kappa, alpha = _oracle(by_code[int(row.code)])
            assert row.units == 4
            assert row.percent_agreement == pytest.approx(percent, abs=1e-9)
            assert row.cohen_kappa == pytest.approx(kappa, abs=1e-9)
            assert row.krippendorff_alpha == pytest.approx(alpha, abs=1e-9)
    codes = [int(r.code or 0) for r in turn.report.per_code]
    pooled = [[v for c in codes for v in by_code.get(c, [[0] * 4, [0] * 4])[i]] for i in (0, 1)]
    percent, kappa, alpha = _oracle(pooled)
    overall = turn.report.overall
    assert overall.units == 4 * len(codes)
    assert overall.percent_agreement == pytest.approx(percent, abs=1e-9)
    assert overall.cohen_kappa == pytest.approx(kappa, abs=1e-9)
    assert overall.krippendorff_alpha == pytest.approx(alpha, abs=1e-9)
    # Document presence: both coders applied Money and Equal partners to the one document, neither the others.
    document = study_agreement(study=coded.study, unit="document")
    applied = {coded.money.pk, coded.code.pk}
    pooled_doc = [[1 if c in applied else 0 for c in codes] for _ in (0, 1)]
    percent, kappa, alpha = _oracle(pooled_doc)
    assert (document.report.overall.units, percent, alpha) == (len(codes), 1.0, 1.0)
    assert document.report.overall.percent_agreement == pytest.approx(percent, abs=1e-9)
    assert document.report.overall.cohen_kappa == pytest.approx(kappa, abs=1e-9)
    assert document.report.overall.krippendorff_alpha == pytest.approx(alpha, abs=1e-9)
    assert document.queue == []


def _join_oracle(study: Study, overlap: bool, user_id: int | None) -> dict[tuple[int, int], int]:
    """The bare SQL self-join the co-occurrence matrix stands for."""
    from django.db import connection

    sql = ("SELECT a.code_id, b.code_id, COUNT(*) FROM qualitative_coding a JOIN qualitative_coding b "
           "ON b.study_id = a.study_id AND b.turn_id = a.turn_id AND a.code_id < b.code_id ")
    params: list[int] = []
    if overlap:
        sql += 'AND b.start < a."end" AND a.start < b."end" '
    if user_id is not None:
        sql += ("JOIN qualitative_coder ca ON ca.id = a.coder_id AND ca.user_id = %s "
                "JOIN qualitative_coder cb ON cb.id = b.coder_id AND cb.user_id = %s ")
        params += [user_id, user_id]
    sql += "WHERE a.study_id = %s AND a.turn_id IS NOT NULL GROUP BY a.code_id, b.code_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, study.pk])
        return {(a, b): n for a, b, n in cursor.fetchall()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_cooccurrence_pairs_equal_the_sql_self_join_on_random_codings(coded, seed: int) -> None:
    import random

    rng = random.Random(seed)
    owner = coded.study.owner
    codes = [coded.code, coded.money, *(services.code_create(study=coded.study, by=owner, name=f"c{i}")
                                        for i in range(4))]
    document = coded.study.documents.get()
    turns = list(document.turns.all())
    for _ in range(60):
        turn = rng.choice(turns)
        start = rng.randrange(turn.start, turn.end - 1)
        end = rng.randrange(start + 1, turn.end + 1)
        services.coding_create(document=document, code=rng.choice(codes), by=rng.choice([owner, coded.second]),
                               start=start, end=end)
    for overlap in (False, True):
        assert selectors.cooccurrence_pairs(study=coded.study, user=owner, overlap=overlap) == _join_oracle(
            coded.study, overlap, None)
        assert selectors.cooccurrence_pairs(study=coded.study, user=coded.second, overlap=overlap) == _join_oracle(
            coded.study, overlap, coded.second.pk)
