from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from commed.accounts.models import Role
from commed.audit.models import Action
from commed.audit.selectors import audit_list as select_audit
from commed.lib.access import AuthedRequest, roles_required


@roles_required(Role.ADMIN)
def audit_list(request: AuthedRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("action", "object_type", "actor")}
    page = Paginator(select_audit(**filters), 100).get_page(request.GET.get("page"))
    return render(request, "audit/audit_list.html", {"page": page, "filters": filters, "actions": Action.choices})
