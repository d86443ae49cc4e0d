from commed.accounts.models import Role
from commed.core.navigation import NavItem

# Mentors (students) and safeguarding leads reach their pages through links from the home page and e-mails: the
# menu is per role, and most students are not mentors.
NAV = [NavItem("Outreach", "/outreach/", frozenset({Role.COORDINATOR}))]
