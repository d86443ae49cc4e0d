"""Health profiles are built from public open data: every signed-in persona may read them (outsider included);
staff define localities; only leads and administrators load national data."""

from commed.lib.access_specs import UrlSpec

EVERYONE = frozenset({"lead", "tutor", "student", "coordinator", "researcher", "admin", "partner_a", "partner_b",
                      "outsider"})
STAFF = frozenset({"lead", "tutor", "coordinator", "admin"})
IMPORTERS = frozenset({"lead", "admin"})


def locality(p, name):  # one locality for every persona, made once (there is no "someone else's" locality)
    if not hasattr(p, "health_locality"):
        from commed.health.services import locality_create

        p.health_locality = locality_create(actor=p.lead, name="Catford", kind="lsoas", codes=["E01003189"])
    return {"pk": p.health_locality.pk}


SPECS = [
    UrlSpec("health:index", allowed=EVERYONE),
    UrlSpec("health:releases", allowed=EVERYONE),
    UrlSpec("health:import", allowed=IMPORTERS),
    UrlSpec("health:indicator_domain", allowed=IMPORTERS, method="post", ok_status=(302,)),
    UrlSpec("health:locality_create", allowed=STAFF),
    UrlSpec("health:locality_detail", allowed=EVERYONE, own=locality),
    UrlSpec("health:locality_priorities", allowed=EVERYONE, own=locality),
    UrlSpec("health:locality_edit", allowed=STAFF, own=locality),
    # Anyone signed in may post; only a project they take part in can be chosen (else nothing is cited and they
    # are sent back with a message): test_localities_and_evidence.py.
    UrlSpec("health:evidence_cite", allowed=EVERYONE, own=locality, method="post", ok_status=(302,)),
]
