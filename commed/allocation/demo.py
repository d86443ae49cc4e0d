"""Demo allocation: this year's Community Action Project students have ranked five projects each, the projects
have group sizes and language needs, and one allocation run has finished (not published: the demo groups
already exist). The `student` login has made choices."""

from __future__ import annotations

import random

from commed.allocation import services
from commed.allocation.rules import RunRules
from commed.core.demo import DemoContext, academic_year
from commed.programmes.models import Cohort, Project, ProjectStage

DEMO_SEED = 20260904


def seed(ctx: DemoContext) -> None:
    # A generator of its own, so the apps seeded after this one get the same data as without it.
    rng = random.Random(DEMO_SEED)
    lead = ctx.users["lead"]
    cohort = Cohort.objects.filter(programme__code="CAP", academic_year=academic_year(ctx.today, 0)).first()
    if cohort is None:
        return
    projects = list(cohort.projects.exclude(stage=ProjectStage.COMPLETE).select_related("opportunity")
                    .order_by("title", "pk"))
    if len(projects) < 5:
        return
    for project in projects:
        languages = project.opportunity.languages if project.opportunity else ""
        needed = [code.strip() for code in languages.split(",") if code.strip() in ("bn", "so", "pl", "yo")]
        services.project_setting_save(actor=lead, project=project, min_size=3, max_size=7, may_close=True,
                                      languages={needed[0]: 1} if needed else {})
    # Linear popularity skew: the first projects in the list are chosen more often.
    weights = [len(projects) - i + 5 for i in range(len(projects))]
    students = [s for s in ctx.students if s.student_profile.academic_year == cohort.academic_year]
    # What students are asked about themselves, so that nobody is the only one of their gender in a group.
    services.attribute_questions_save(actor=lead, cohort=cohort, questions=[("gender", ["Female", "Male", "Non-binary"])])
    for student in students:
        chosen: list[Project] = []
        while len(chosen) < 5:
            project = rng.choices(projects, weights=weights)[0]
            if project not in chosen:
                chosen.append(project)
        services.preferences_replace(actor=lead, cohort=cohort, student=student, projects=chosen, audit=False)
        services.student_detail_set(actor=lead, cohort=cohort, student=student, locality=None, audit=False,
                                    attributes={"gender": "Female" if rng.random() < 0.6 else "Male"})
    rules = RunRules(no_isolation=("gender",), partner_capacity=False, fallback_rank=6, time_limit=20.0)
    run = services.run_create(actor=lead, cohort=cohort, rules=rules)
    services.run_execute(run_id=run.pk)
