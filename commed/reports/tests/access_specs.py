from commed.lib.access_specs import UrlSpec
from commed.reports.tests.world import build_reports_world

MANAGERS = frozenset({"lead", "admin"})
PARTNERS = frozenset({"partner_a", "partner_b"})


def own_draft(p, n):
    world = build_reports_world(p)
    return {"pk": (world.draft_b if n == "partner_b" else world.draft_a).pk}


def foreign_draft(p, n):
    world = build_reports_world(p)
    return {"pk": (world.draft_a if n == "partner_b" else world.draft_b).pk}


def with_fmt(kwargs):
    return lambda p, n: {**kwargs(p, n), "fmt": "pdf"}


def draft_spec(name, allowed, **kwargs):
    return UrlSpec(f"reports:{name}", allowed=frozenset(allowed), own=kwargs.pop("own", own_draft),
                   foreign=kwargs.pop("foreign", foreign_draft), sees_all=MANAGERS, **kwargs)


def post(ok=(302,)):
    return {"method": "post", "ok_status": ok}


SPECS = [
    UrlSpec("reports:index", allowed=MANAGERS | PARTNERS),
    UrlSpec("reports:draft_create", allowed=MANAGERS, method="post", ok_status=(302,),
            data=lambda p: {"organisation": p.org_a.pk, "academic_year": "2024/25"}),
    draft_spec("draft_detail", MANAGERS | PARTNERS),
    draft_spec("draft_next_steps", MANAGERS, data=lambda p: {"next_steps": "Meet in September."}, **post()),
    draft_spec("draft_refresh", MANAGERS, **post()),
    draft_spec("draft_link", MANAGERS, data=lambda p: {"contact": p.org_a.contacts.first().pk, "days": 30},
               **post((200, 302))),
    draft_spec("draft_release", MANAGERS, **post()),
    draft_spec("draft_download", MANAGERS | PARTNERS, own=with_fmt(own_draft), foreign=with_fmt(foreign_draft)),
    UrlSpec("reports:dashboard", allowed=MANAGERS),
    UrlSpec("reports:chart_download", allowed=MANAGERS, own=lambda p, n: {"key": "population"}),
    UrlSpec("reports:equity", allowed=MANAGERS),
    UrlSpec("reports:pack_download", allowed=MANAGERS,
            own=lambda p, n: {"pk": build_reports_world(p).cohort.pk, "fmt": "docx"}),
    UrlSpec("reports:runs", allowed=MANAGERS),
    UrlSpec("reports:run_detail", allowed=MANAGERS, own=lambda p, n: {"pk": build_reports_world(p).run.pk}),
    UrlSpec("reports:run_download", allowed=MANAGERS, own=lambda p, n: {"pk": build_reports_world(p).run.pk}),
    UrlSpec("reports:characteristics", allowed=frozenset({"student", "outsider"})),
]
