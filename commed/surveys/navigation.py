from commed.accounts.models import Role
from commed.core.navigation import NavItem

NAV = [
    NavItem("Surveys", "/surveys/", frozenset({Role.LEAD, Role.ADMIN})),
    NavItem("My surveys", "/surveys/mine/",
            frozenset({Role.TUTOR, Role.STUDENT, Role.PARTNER, Role.COORDINATOR, Role.RESEARCHER})),
]
