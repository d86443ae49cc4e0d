"""Signed-link purpose of this app: rank_applicants. A contact of a partner organisation without an account ranks
the students who chose the organisation's projects in one cohort. The link's target is the cohort and its
`organisation` parameter the partner; the handler grants that ranking and nothing else, and only while the
organisation still has a project open for allocation in the cohort (a published allocation closes the form)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from commed.allocation import selectors
from commed.allocation.services import RANKING_LINK_PURPOSE
from commed.allocation.views import partner_ranking_page
from commed.links.models import SignedLink
from commed.programmes.models import Cohort


def rank_applicants(request: HttpRequest, link: SignedLink) -> HttpResponse:
    cohort = link.target
    if link.purpose != RANKING_LINK_PURPOSE or not isinstance(cohort, Cohort):
        raise Http404
    organisation = selectors.cohort_partner_organisation(cohort=cohort, organisation_pk=link.params.get("organisation"))
    if organisation is None:
        raise Http404  # no longer a partner of this cohort
    return partner_ranking_page(request, cohort=cohort, organisation=organisation, actor=None, link=link)


HANDLERS = {RANKING_LINK_PURPOSE: rank_applicants}
