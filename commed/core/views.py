from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from commed.core.selectors import home_panels
from commed.lib.access import AuthedRequest, signed_in


@signed_in
def home(request: AuthedRequest) -> HttpResponse:
    return render(request, "core/home.html", {"panels": home_panels(user=request.user)})


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
