"""Access rules shared by every app's views.

Outsiders get 404, never 403: a page must not reveal that a record exists to someone who may not see it.
Anonymous visitors are sent to sign in. The per-object rules live in each app's selectors
(`organisation_get_for_user` and the like), which raise Http404 too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from commed.accounts.models import User

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponse)


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def roles_required(*roles: str) -> Callable[[Callable[..., R]], Callable[..., HttpResponse]]:
    """Allow signed-in users with one of `roles`; everyone else signed in gets 404."""

    def decorator(view: Callable[..., R]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and getattr(user, "role", None) not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        wrapper.commed_roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorator


def signed_in(view: Callable[..., R]) -> Callable[..., HttpResponse]:
    """Any signed-in user; the view's selectors decide what they see."""
    return roles_required()(view)
