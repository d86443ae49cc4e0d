from commed.accounts.models import Role
from commed.core.navigation import NavItem

NAV = [
    NavItem("Reports", "/reports/", frozenset({Role.LEAD, Role.ADMIN, Role.PARTNER})),
    NavItem("Equity questions", "/reports/my-characteristics/", frozenset({Role.STUDENT})),
]
