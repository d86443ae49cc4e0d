from commed.accounts.models import Role
from commed.core.navigation import NavItem

NAV = [
    NavItem("Projects", "/programmes/",
            frozenset({Role.LEAD, Role.ADMIN, Role.TUTOR, Role.STUDENT, Role.PARTNER})),
    NavItem("Opportunities", "/programmes/opportunities/", frozenset({Role.LEAD, Role.ADMIN, Role.PARTNER})),
]
