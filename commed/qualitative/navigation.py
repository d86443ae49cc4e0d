from commed.accounts.models import Role
from commed.core.navigation import NavItem

NAV = [NavItem("Research", "/research/", frozenset({Role.RESEARCHER}))]
