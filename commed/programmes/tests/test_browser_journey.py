"""The whole journey in a real browser, with axe-core on every page: a partner proposes a need by link, a lead
publishes it, a group is formed, the three parties edit and sign the plan, an output is registered, and the
partner gives feedback through a link."""

from __future__ import annotations

import pytest

from commed.lib.browser import Journey as BrowserJourney
from commed.lib.browser import chromium_page
from commed.programmes import services
from commed.programmes.models import Opportunity, Output, PartnerFeedback, Project

PASSWORD = "persona-password"


class Journey(BrowserJourney):
    def __init__(self, page, base_url):
        super().__init__(page, base_url, PASSWORD)

    def issued_link(self):
        return self.page.locator("#link-open").get_attribute("href")


@pytest.mark.browser
def test_the_whole_journey_from_a_proposed_need_to_the_partners_feedback(transactional_db, live_server, personas,
                                                                        tmp_path):
    programme = services.programme_create(actor=personas.lead, name="Community Action Project", code="CAP")
    cohort = services.cohort_create(actor=personas.lead, programme=programme, academic_year="2025/26")
    contact = personas.org_a.contacts.first()
    leaflet = tmp_path / "leaflet.pdf"
    leaflet.write_bytes(b"%PDF-1.4\n% a leaflet\n")

    with chromium_page() as page:
        journey = Journey(page, live_server.url)

        # The lead sends the partner a link to propose a need.
        journey.sign_in("lead")
        journey.go("/programmes/opportunities/link/")
        page.get_by_label("Contact").select_option(str(contact.pk))
        journey.submit("Save")
        propose_url = journey.issued_link()
        journey.sign_out()

        # The partner, without signing in, proposes the need.
        journey.go(propose_url)
        page.get_by_label("Your name").fill("Rukhsana Begum")
        page.get_by_label("A short title").fill("Diabetes and fasting")
        page.get_by_label("Health need").fill("Older members fast without advice on their diabetes medicines.")
        page.get_by_label("People concerned").fill("Older Bengali-speaking people")
        page.get_by_label("Languages").fill("bn")
        journey.submit("Send the proposal")
        assert "reached the programme team" in page.content()
        opportunity = Opportunity.objects.get(title="Diabetes and fasting")

        # The lead publishes it to the cohort, makes a project of it and forms a group.
        journey.sign_in("lead")
        journey.go("/programmes/opportunities/")
        journey.follow(page.get_by_role("link", name="Diabetes and fasting"))
        page.get_by_label("Decision").select_option("published")
        page.get_by_label("Cohort").select_option(str(cohort.pk))
        journey.submit("Save the decision")
        journey.follow(page.get_by_role("link", name="Make a project of it"))
        journey.submit("Save")
        project = Project.objects.get(opportunity=opportunity)
        journey.go(f"/programmes/cohorts/{cohort.pk}/groups/new/")
        page.get_by_label("Name").fill("Group 1")
        page.get_by_label("Project").select_option(str(project.pk))
        page.get_by_label("Tutor").select_option(str(personas.tutor.pk))
        page.get_by_label("Members").fill(personas.student.email)
        journey.submit("Save")
        journey.go(f"/programmes/cohorts/{cohort.pk}/")
        journey.sign_out()

        # The three parties edit the plan in turn; the student signs version 1, which the later edits void.
        def edit(username, label, text):
            journey.sign_in(username)
            journey.go(f"/programmes/projects/{project.pk}/plan/")
            journey.follow(page.get_by_role("link", name="Edit the plan"))
            page.get_by_label(label).fill(text)
            journey.submit("Save a new version")
            assert "Saved as version" in page.content()

        def sign():
            page.get_by_label("I have read this version of the plan and agree to it").check()
            journey.submit("Sign version")
            assert "Signed version" in page.content()

        edit("student", "The need and the community", "Older people fast during Ramadan.")
        sign()
        journey.sign_out()
        edit("partner_a", "Benefit to the community", "Members get advice in Bengali.")
        journey.sign_out()
        edit("tutor", "Risks and safeguarding", "A staff member is present at every session.")
        sign()
        # The tutor sends the partner a link to sign the current version.
        page.get_by_label("Contact").select_option(str(contact.pk))
        journey.submit("Send the partner a link to sign")
        sign_url = journey.issued_link()
        journey.sign_out()
        journey.sign_in("student")
        journey.go(f"/programmes/projects/{project.pk}/plan/")
        assert "void since" in page.content()
        sign()

        # The student registers an output with a file.
        journey.go(f"/programmes/projects/{project.pk}/outputs/new/")
        page.get_by_label("Kind").select_option("leaflet")
        page.get_by_label("Title").fill("Fasting safely with diabetes")
        page.get_by_label("People reached").fill("60")
        page.get_by_label("Files").set_input_files(str(leaflet))
        journey.submit("Save")
        assert Output.objects.get(project=project).files.count() == 1
        journey.sign_out()

        # The partner signs through the link, without signing in: the plan is agreed.
        journey.go(sign_url)
        page.get_by_label("I have read this version of the plan and agree to it").check()
        journey.submit("Sign version")
        assert "You signed version 3" in page.content()
        project.plan.refresh_from_db()
        assert project.plan.is_agreed

        # The tutor asks for feedback; the partner gives it through the link.
        journey.sign_in("tutor")
        journey.go(f"/programmes/projects/{project.pk}/")
        journey.follow(page.get_by_role("link", name="Ask the partner for feedback"))
        page.get_by_label("Contact").select_option(str(contact.pk))
        journey.submit("Save")
        feedback_url = journey.issued_link()
        journey.sign_out()
        journey.go(feedback_url)
        page.get_by_label("About the students").fill("Punctual and kind.")
        page.get_by_label("About the project").fill("Our members still use the leaflet.")
        page.get_by_label("About the partnership with the medical school").fill("We shaped it from the start.")
        page.get_by_label("The partner shaped the project from the start.").select_option("5")
        journey.submit("Send the feedback")
        assert PartnerFeedback.objects.filter(project=project).exists()

        # The lead sees the agreed plan and the partner's history.
        journey.sign_in("lead")
        journey.go(f"/programmes/projects/{project.pk}/")
        journey.go(f"/programmes/projects/{project.pk}/plan/")
        journey.go(f"/programmes/partners/{personas.org_a.pk}/history/")

    assert journey.problems == [], "\n".join(journey.problems)
