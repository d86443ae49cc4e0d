from commed.accounts.models import Role
from commed.core.navigation import NavItem

NAV = [NavItem("Audit trail", "/audit/", frozenset({Role.ADMIN}))]
