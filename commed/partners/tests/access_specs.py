from commed.lib.access_specs import UrlSpec

STAFF = frozenset({"lead", "tutor", "coordinator", "admin"})
EDITORS = frozenset({"lead", "coordinator", "admin"})
PARTNERS = frozenset({"partner_a", "partner_b"})


def org_of(p, name):  # the persona's own organisation (org_a for staff, who see all)
    return p.org_b if name == "partner_b" else p.org_a


def own_org(p, name):
    return {"pk": org_of(p, name).pk}


def foreign_org(p, name):
    return {"pk": (p.org_a if name == "partner_b" else p.org_b).pk}


def own_contact(p, name):
    return {"pk": org_of(p, name).contacts.first().pk}


def foreign_contact(p, name):
    return {"pk": (p.org_a if name == "partner_b" else p.org_b).contacts.first().pk}


def own_partnership(p, name):
    return {"pk": org_of(p, name).partnerships.first().pk}


def foreign_partnership(p, name):
    return {"pk": (p.org_a if name == "partner_b" else p.org_b).partnerships.first().pk}


def interaction_data(p):
    return {"kind": "call", "occurred_on": "2026-01-05", "summary": "Spoke about the next cohort"}


SPECS = [
    UrlSpec("partners:list", allowed=STAFF | PARTNERS),
    UrlSpec("partners:create", allowed=EDITORS),
    UrlSpec("partners:import", allowed=EDITORS),
    UrlSpec("partners:export", allowed=EDITORS, own=lambda p, n: {"fmt": "csv"}),
    UrlSpec("partners:agreements_expiring", allowed=STAFF),
    UrlSpec("partners:detail", allowed=STAFF | PARTNERS, own=own_org, foreign=foreign_org, sees_all=STAFF),
    UrlSpec("partners:edit", allowed=EDITORS | PARTNERS, own=own_org, foreign=foreign_org, sees_all=EDITORS),
    UrlSpec("partners:contact_create", allowed=EDITORS | PARTNERS, own=own_org, foreign=foreign_org,
            sees_all=EDITORS),
    UrlSpec("partners:contact_edit", allowed=EDITORS | PARTNERS, own=own_contact, foreign=foreign_contact,
            sees_all=EDITORS),
    UrlSpec("partners:partnership_create", allowed=EDITORS, own=own_org, foreign=foreign_org, sees_all=EDITORS),
    UrlSpec("partners:interaction_create", allowed=STAFF | PARTNERS, own=own_org, foreign=foreign_org,
            sees_all=STAFF, method="post", data=interaction_data, ok_status=(302,), anonymous_status=(302,)),
    UrlSpec("partners:ledger_create", allowed=STAFF | PARTNERS, own=own_org, foreign=foreign_org, sees_all=STAFF),
    UrlSpec("partners:partnership_stage", allowed=EDITORS, own=own_partnership, foreign=foreign_partnership,
            sees_all=EDITORS),
    UrlSpec("partners:agreement_create", allowed=EDITORS, own=own_partnership, foreign=foreign_partnership,
            sees_all=EDITORS),
]
