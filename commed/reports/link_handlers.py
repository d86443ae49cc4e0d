"""Signed-link purposes of this app: a partner reviews the draft of their service evaluation report.

The handler grants exactly that on `link.target` (one draft): read it, approve or withdraw each quote about the
partner, and add a response. A released draft can no longer be changed through a link.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from commed.lib.forms import add_service_errors
from commed.links.models import SignedLink
from commed.links.services import link_record_use
from commed.reports import builders, selectors, services
from commed.reports.forms import ReviewForm
from commed.reports.models import ReportDraft


def review_report(request: HttpRequest, link: SignedLink) -> HttpResponse:
    draft = link.target
    if link.purpose != services.REVIEW_PURPOSE or not isinstance(draft, ReportDraft):
        raise Http404
    if draft.is_released:
        return render(request, "reports/link_done.html", {
            "title": "The report has been released",
            "message": "The programme team has released this report, so it can no longer be changed here. "
                       "Ask them if something needs correcting.",
        })
    # Every quote, withdrawn ones too, so the partner can change their mind before release.
    quotes = selectors.quote_rows(selectors.draft_quotes_shown(draft=draft, include_withdrawn=True))
    form = ReviewForm(request.POST or None, quotes=quotes,
                      initial={"name": draft.partner_response_by or link.recipient_name,
                               "response": draft.partner_response})
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_review_submit(draft=draft, decisions=form.decisions(), name=form.cleaned_data["name"],
                                         response=form.cleaned_data["response"], link=link)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            link_record_use(link=link, action="reviewed")
            return render(request, "reports/link_done.html", {
                "title": "Thank you",
                "message": "Your choices have been saved. Withdrawn quotes will not appear in the report. You can "
                           "open this link again to change them until the report is released.",
            })
    report = selectors.service_evaluation(organisation=draft.organisation, academic_year=draft.academic_year,
                                          draft=draft)
    return render(request, "reports/link_review.html", {
        "form": form, "draft": draft, "report": report, "title": builders.service_evaluation_title(report),
    })


HANDLERS = {services.REVIEW_PURPOSE: review_report}
