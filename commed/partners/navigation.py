from commed.accounts.models import STAFF_ROLES, Role
from commed.core.navigation import NavItem

NAV = [NavItem("Partners", "/partners/", frozenset({*STAFF_ROLES, Role.PARTNER}))]
