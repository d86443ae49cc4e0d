"""The demo has sent surveys with some responses, a gap to show, and a survey waiting for the demo student."""

from commed.core.demo import demo_seed
from commed.surveys import selectors
from commed.surveys.models import Instrument, Invitation, Status, Survey


def test_the_demo_has_sent_surveys_with_responses_and_one_for_the_demo_student(db):
    demo_seed()
    surveys = Survey.objects.filter(status=Status.OPEN)
    assert set(surveys.values_list("instrument", flat=True)) == {
        Instrument.PARTNER_END, Instrument.STUDENT_END, Instrument.PARTNERSHIP_QUALITY}
    waiting = Invitation.objects.get(user__username="student", responded_at__isnull=True).survey
    for survey in surveys.exclude(pk=waiting.pk):
        rate = selectors.survey_response_rate(survey=survey)
        assert 0 < rate.responded <= rate.invited
    quality = surveys.get(instrument=Instrument.PARTNERSHIP_QUALITY)
    assert quality.organisation is not None
    gap = selectors.partnership_quality_gap(organisation=quality.organisation, year=quality.academic_year)
    assert all(row.partner is not None and row.school is not None for row in gap)
    # Someone is left to remind, and the demo student has a survey to answer.
    assert Invitation.objects.filter(survey=quality, responded_at__isnull=True).exclude(email="").exists()
    assert waiting.status == Status.OPEN
    assert waiting.instrument == Instrument.STUDENT_END
