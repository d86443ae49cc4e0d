from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from commed.accounts.middleware import LOGIN_AT, SEEN_AT
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.lib.access import AuthedRequest, signed_in


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = AuthenticationForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        now = timezone.now().timestamp()
        self.request.session[LOGIN_AT] = now
        self.request.session[SEEN_AT] = now
        user = form.get_user()
        audit_record(actor=user, action=Action.LOGIN, obj=user)  # type: ignore[arg-type,unused-ignore]
        return response


login_view = LoginView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("login")


@signed_in
def password_change(request: AuthedRequest) -> HttpResponse:
    response = auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url="/"
    )(request)
    assert isinstance(response, HttpResponse)  # noqa: S101 (narrowing for mypy; a view always returns one)
    return response
