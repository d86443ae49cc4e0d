"""Signed-link purpose of this app: answer one survey invitation without an account. The link's target is the
invitation; the handler grants answering it once and nothing else (closed surveys and answered invitations are
refused by `services.response_submit` as well as here)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from commed.links.models import SignedLink
from commed.surveys.models import Invitation
from commed.surveys.services import LINK_PURPOSE
from commed.surveys.views import respond_page


def answer_survey(request: HttpRequest, link: SignedLink) -> HttpResponse:
    invitation = link.target
    if link.purpose != LINK_PURPOSE or not isinstance(invitation, Invitation) or invitation.user_id is not None:
        raise Http404
    return respond_page(request, invitation, by=None, link=link)


HANDLERS = {LINK_PURPOSE: answer_survey}
