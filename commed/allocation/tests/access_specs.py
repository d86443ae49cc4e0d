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


def run_spec(name, **kwargs):
    return UrlSpec(f"allocation:{name}", allowed=MANAGERS, own=lambda p, n: {**run(p, n), **kwargs})


SPECS = [
    # Every student may open the index; it lists only their own cohorts (none for the outsider).
    UrlSpec("allocation:index", allowed=MANAGERS | {"student", "outsider"}),
    cohort_spec("cohort"),
    cohort_spec("project_settings"),
    cohort_spec("preferences_import"),
    cohort_spec("partner_rankings_import"),
    cohort_spec("run_create"),
    # Only the students of the cohort choose; leads see preferences on the cohort page.
    cohort_spec("preferences", allowed={"student"}),
    run_spec("run_detail"),
    run_spec("run_status"),
    run_spec("run_move"),
    run_spec("run_rerun"),
    run_spec("run_publish"),
    run_spec("run_download", what="problem"),
]
