from commed.allocation.tests.world import build_allocation_world
from commed.lib.access_specs import UrlSpec

MANAGERS = frozenset({"lead", "admin"})


def cohort(p, n):
    return {"pk": build_allocation_world(p).cohort.pk}


def other_cohort(p, n):
    return {"pk": build_allocation_world(p).other_cohort.pk}


def run(p, n):
    return {"pk": build_allocation_world(p).run.pk}


def cohort_spec(name, allowed=MANAGERS):
    return UrlSpec(f"allocation:{name}", allowed=frozenset(allowed), own=cohort, foreign=other_cohort,
                   sees_all=MANAGERS & frozenset(allowed))


def partner_ranking_own(p, n):
    # Each partner contact on their own organisation (both have a project in the cohort); everyone else on org_a.
    return {"pk": build_allocation_world(p).cohort.pk, "organisation": (p.org_b if n == "partner_b" else p.org_a).pk}


def partner_ranking_foreign(p, n):
    # The other partner's organisation in the same cohort.
    return {"pk": build_allocation_world(p).cohort.pk, "organisation": (p.org_a if n == "partner_b" else p.org_b).pk}


def ranking_link_data(p):
    # org_b is a partner of both cohorts, so the lead gets a link on either.
    return {"contact": p.org_b.contacts.get().pk}


def student_detail_own(p, n):
    world = build_allocation_world(p)
    return {"pk": world.cohort.pk, "student_pk": world.students[1].pk}


def student_detail_foreign(p, n):
    world = build_allocation_world(p)
    return {"pk": world.other_cohort.pk, "student_pk": world.other_student.pk}


def run_spec(name, **kwargs):
    return UrlSpec(f"allocation:{name}", allowed=MANAGERS, own=lambda p, n: {**run(p, n), **kwargs})


SPECS = [
    # Every student may open the index; it lists only their own cohorts (none for the outsider).
    UrlSpec("allocation:index", allowed=MANAGERS | {"student", "outsider", "partner_a", "partner_b"}),
    cohort_spec("cohort"),
    cohort_spec("project_settings"),
    cohort_spec("attribute_questions"),
    cohort_spec("preferences_import"),
    cohort_spec("partner_rankings_import"),
    cohort_spec("run_create"),
    # A partner contact ranks the students who chose their own organisation; leads may enter it for them.
    UrlSpec("allocation:partner_ranking", allowed=MANAGERS | {"partner_a", "partner_b"}, own=partner_ranking_own,
            foreign=partner_ranking_foreign, sees_all=MANAGERS),
    UrlSpec("allocation:partner_ranking_link", allowed=MANAGERS, own=cohort, foreign=other_cohort, sees_all=MANAGERS,
            method="post", data=ranking_link_data),
    # Only the students of the cohort choose; leads see preferences on the cohort page.
    cohort_spec("preferences", allowed={"student"}),
    # A lead corrects one student's details; students set their own on their choices page.
    UrlSpec("allocation:student_detail", allowed=MANAGERS, own=student_detail_own, foreign=student_detail_foreign,
            sees_all=MANAGERS),
    run_spec("run_detail"),
    run_spec("run_status"),
    run_spec("run_move"),
    run_spec("run_rerun"),
    run_spec("run_publish"),
    run_spec("run_download", what="problem"),
]
