"""What the home page shows each role: a few panels of things that need attention."""

from __future__ import annotations

from dataclasses import dataclass

from commed.accounts.models import STAFF_ROLES, Role, User
from commed.partners.selectors import agreements_expiring, organisations_visible_to


@dataclass(frozen=True)
class Panel:
    title: str
    lines: list[tuple[str, str]]  # (text, url); url may be ""
    more_url: str = ""


def home_panels(*, user: User) -> list[Panel]:
    panels: list[Panel] = []
    if user.role in STAFF_ROLES:
        expiring = list(agreements_expiring(user=user)[:5])
        panels.append(
            Panel(
                "Agreements expiring in the next 60 days",
                [
                    (f"{a.partnership.organisation}: {a.title} (ends {a.ends_on:%d %b %Y})",
                     f"/partners/{a.partnership.organisation_id}/")
                    for a in expiring
                ] or [("None", "")],
                "/partners/agreements/expiring/",
            )
        )
    if user.role in (*STAFF_ROLES, Role.PARTNER):
        organisations = organisations_visible_to(user=user)
        if user.role == Role.PARTNER:
            panels.append(
                Panel("Your organisation", [(o.name, f"/partners/{o.pk}/") for o in organisations] or [("None", "")])
            )
        else:
            panels.append(Panel("Partner directory", [(f"{organisations.count()} organisations", "/partners/")]))
    return panels
