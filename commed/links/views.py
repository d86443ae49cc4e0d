from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commed.accounts.models import STAFF_ROLES
from commed.lib.access import AuthedRequest, roles_required
from commed.links import registry, selectors, services

GONE_MESSAGES = {
    "expired": "This link has expired.",
    "revoked": "This link has been withdrawn.",
    "used up": "This link has already been used.",
}


def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """The only door for people without an account: checks the link, then hands over to its purpose's handler."""
    try:
        link = services.link_resolve(token=token)
    except services.LinkInvalid as invalid:
        if invalid.reason in GONE_MESSAGES:
            return render(request, "links/gone.html", {"message": GONE_MESSAGES[invalid.reason]}, status=410)
        raise Http404 from None
    handler = registry.handlers().get(link.purpose)
    if handler is None:
        raise Http404
    if request.method == "GET":
        services.link_record_use(link=link, action="opened")
    response: HttpResponse = handler(request, link)
    # Links carry a secret in the path: never send it on to another site as a referrer, never cache the page.
    # Not "no-referrer": with it browsers send `Origin: null` on the page's own form posts, and Django's CSRF
    # check then refuses every answer given through a link. "same-origin" gives the path only back to us.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@roles_required(*STAFF_ROLES)
def link_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.link_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "links/link_list.html", {"page": page})


@require_POST
@roles_required(*STAFF_ROLES)
def link_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.link_get_for_user(user=request.user, pk=pk)
    services.link_revoke(actor=request.user, link=link)
    messages.success(request, f"The {link.purpose} link for {link.recipient_name} no longer works.")
    return redirect("links:list")
