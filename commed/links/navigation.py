from commed.accounts.models import STAFF_ROLES
from commed.core.navigation import NavItem

NAV = [NavItem("Signed links", "/links/", frozenset(STAFF_ROLES))]
