from commed.accounts.models import Role
from commed.core.navigation import NavItem

NAV = [
    NavItem("Allocation", "/allocation/", frozenset({Role.LEAD, Role.ADMIN, Role.STUDENT, Role.PARTNER})),
]
