from commed.accounts.models import Role
from commed.core.navigation import NavItem

NAV = [NavItem("Health needs", "/health/", frozenset(Role.values))]
