from commed.lib.access_specs import UrlSpec
from commed.programmes.tests.world import build_world, mine, theirs

MANAGERS = frozenset({"lead", "admin"})
PARTNERS = frozenset({"partner_a", "partner_b"})
PARTIES = frozenset({"tutor", "student"}) | PARTNERS
VIEWERS = MANAGERS | PARTIES
PROJECT_MANAGERS = MANAGERS | {"tutor"}


def own(attribute):
    return lambda p, n: {"pk": mine(p, n, attribute).pk}


def foreign(attribute):
    return lambda p, n: {"pk": theirs(p, n, attribute).pk}


def programme(p, n):
    return {"pk": build_world(p).programme.pk}


def cohort(p, n):
    return {"pk": build_world(p).cohort.pk}


def own_org(p, n):
    return {"pk": (p.org_b if n == "partner_b" else p.org_a).pk}


def foreign_org(p, n):
    return {"pk": (p.org_a if n == "partner_b" else p.org_b).pk}


def project_spec(name, allowed, sees_all=MANAGERS, attribute="project", **kwargs):
    return UrlSpec(f"programmes:{name}", allowed=frozenset(allowed), own=own(attribute), foreign=foreign(attribute),
                   sees_all=frozenset(sees_all), **kwargs)


def sign_data(p):
    return {"version": build_world(p).version_a.number, "confirm": "on"}


def link_data(p):
    return {"contact": p.org_a.contacts.first().pk, "days": 30}


SPECS = [
    UrlSpec("programmes:index", allowed=VIEWERS | {"outsider"}),
    UrlSpec("programmes:programme_create", allowed=MANAGERS),
    UrlSpec("programmes:overdue", allowed=PROJECT_MANAGERS),
    UrlSpec("programmes:programme_detail", allowed=MANAGERS, own=programme),
    UrlSpec("programmes:cohort_create", allowed=MANAGERS, own=programme),
    UrlSpec("programmes:cohort_board", allowed=MANAGERS, own=cohort),
    UrlSpec("programmes:key_date_create", allowed=MANAGERS, own=cohort),
    UrlSpec("programmes:locality_create", allowed=MANAGERS, own=cohort),
    UrlSpec("programmes:project_create", allowed=MANAGERS, own=cohort),
    UrlSpec("programmes:group_create", allowed=MANAGERS, own=cohort),
    UrlSpec("programmes:groups_import", allowed=MANAGERS, own=cohort),
    UrlSpec("programmes:research_export", allowed=MANAGERS | {"researcher"}, own=cohort),
    UrlSpec("programmes:opportunity_list", allowed=MANAGERS | PARTNERS),
    UrlSpec("programmes:opportunity_propose", allowed=PARTNERS),
    UrlSpec("programmes:propose_link", allowed=MANAGERS),
    project_spec("opportunity_detail", MANAGERS | PARTNERS, attribute="opportunity"),
    project_spec("opportunity_review", MANAGERS, attribute="opportunity", method="post",
                 data=lambda p: {"decision": "declined"}, ok_status=(302,)),
    project_spec("project_detail", VIEWERS),
    project_spec("project_stage", PROJECT_MANAGERS, method="post", data=lambda p: {"stage": "delivering"},
                 ok_status=(302,)),
    project_spec("plan", VIEWERS),
    project_spec("plan_edit", PARTIES, sees_all=()),
    project_spec("plan_sign", PARTIES, sees_all=(), method="post", data=sign_data, ok_status=(302,)),
    project_spec("plan_comment", VIEWERS, sees_all=MANAGERS, method="post",
                 data=lambda p: {"section": "aims", "body": "Can we add a second session?"}, ok_status=(302,)),
    project_spec("change_request_create", PARTIES, sees_all=()),
    project_spec("plan_link", PROJECT_MANAGERS, method="post", data=link_data, ok_status=(200, 302)),
    project_spec("feedback_link", PROJECT_MANAGERS),
    project_spec("milestone_create", PROJECT_MANAGERS),
    project_spec("output_create", VIEWERS),
    project_spec("reflection_create", {"student"}, sees_all=()),
    project_spec("checkin", MANAGERS | {"tutor"} | PARTNERS),
    project_spec("plan_version", VIEWERS, attribute="version"),
    project_spec("change_request_decide", PARTIES, sees_all=(), attribute="change", method="post",
                 data=lambda p: {"decision": "decline"}, ok_status=(302,)),
    project_spec("milestone_complete", VIEWERS, attribute="milestone", method="post", ok_status=(302,)),
    project_spec("output_file", VIEWERS, attribute="file"),
    project_spec("reflection_detail", VIEWERS, attribute="reflection"),
    project_spec("reflection_consent", MANAGERS | {"student"}, attribute="reflection", method="post",
                 data=lambda p: {"consent": "partner"}, ok_status=(302,)),
    UrlSpec("programmes:partner_history", allowed=PROJECT_MANAGERS | PARTNERS | {"coordinator"}, own=own_org,
            foreign=foreign_org, sees_all=PROJECT_MANAGERS | {"coordinator"}),
]
