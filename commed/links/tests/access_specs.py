from commed.lib.access_specs import UrlSpec

STAFF = frozenset({"lead", "tutor", "coordinator", "admin"})


def issued_link(p, name):
    """A link issued by the lead (editors see every link; a tutor only the links they issued)."""
    from commed.links.tests.test_links import issue_test_link

    if not hasattr(p, "_link"):
        p._link = issue_test_link(actor=p.lead, target=p.org_a)
    return {"pk": p._link.link.pk}


def own_link(p, name):
    from commed.links.tests.test_links import issue_test_link

    if name == "tutor":
        return {"pk": issue_test_link(actor=p.tutor, target=p.org_a).link.pk}
    return issued_link(p, name)


SPECS = [
    # A bad token is a 404 for everyone; the behaviour of good, expired and revoked tokens is in test_links.py.
    UrlSpec("links:open", allowed=frozenset(), own=lambda p, n: {"token": "tampered-or-unknown"}, public=True,
            ok_status=(404,)),
    UrlSpec("links:list", allowed=STAFF),
    UrlSpec("links:revoke", allowed=STAFF, own=own_link, foreign=issued_link,
            sees_all=frozenset({"lead", "coordinator", "admin"}), method="post", ok_status=(302,)),
]
