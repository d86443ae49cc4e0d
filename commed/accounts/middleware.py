"""Idle and absolute session timeouts.

Django's SESSION_COOKIE_AGE gives one of the two; the other needs a timestamp of its own. Both are kept in the
session and checked on every authenticated request, so an unattended laptop in a GP surgery signs out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LOGIN_AT = "commed_login_at"
SEEN_AT = "commed_seen_at"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            login_at = request.session.get(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            if (
                now - seen_at > settings.SESSION_IDLE_TIMEOUT
                or now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
            else:
                request.session[LOGIN_AT] = login_at
                request.session[SEEN_AT] = now
        return self.get_response(request)
