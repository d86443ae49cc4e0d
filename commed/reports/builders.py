"""Turn what the selectors read into document blocks (see documents.py); no queries here."""

from __future__ import annotations

from commed.reports.charts import Chart
from commed.reports.documents import Block, Bullets, Heading, Para, Quote, Table
from commed.reports.selectors import SECTION_TITLES, AccountabilityPack, EquityView, ServiceEvaluation


def _score(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.1f}"


def service_evaluation_title(report: ServiceEvaluation) -> str:
    return f"Service evaluation {report.academic_year}: {report.organisation.name}"


def service_evaluation_blocks(report: ServiceEvaluation) -> list[Block]:
    projects, outputs, contributions, partner, students, quality, quotes, steps = SECTION_TITLES
    blocks: list[Block] = [
        Heading(service_evaluation_title(report), 1),
        Para(f"What the students of the medical school and {report.organisation.name} did together in "
             f"{report.academic_year}, what it achieved, and what each side gave and got. "
             f"Status: {report.status}. Produced on {report.generated_on:%d %B %Y}.", muted=True),
        Heading(projects, 2),
    ]
    if report.projects:
        blocks.append(Table(
            columns=("Project", "Programme", "Stage", "The need", "Who it concerns"),
            rows=[(p.title, p.programme, p.stage, p.need or "\u2013", p.people or "\u2013") for p in report.projects],
        ))
    else:
        blocks.append(Para("No projects with this partner in this academic year."))
    blocks.append(Heading(outputs, 2))
    if report.outputs:
        count = len(report.outputs)
        blocks.append(Para(f"{count} output{'s' if count != 1 else ''} reaching {report.total_reach:,} people, in "
                           f"{', '.join(report.languages) or 'no recorded language'}."))
        blocks.append(Table(
            columns=("Output", "Kind", "Project", "Reach", "Languages", "Audience"),
            rows=[(o.title, o.kind, o.project, "\u2013" if o.reach is None else f"{o.reach:,}", o.languages or "\u2013",
                   o.audience or "\u2013") for o in report.outputs],
        ))
    else:
        blocks.append(Para("No outputs registered yet."))
    blocks.append(Heading(contributions, 2))
    blocks.append(Para(f"From the reciprocity ledger: {report.balance_label}."))
    if report.ledger:
        blocks.append(Table(columns=("Date", "Direction", "Kind", "What", "Amount"),
                            rows=[(f"{e.occurred_on:%d %b %Y}", e.direction, e.kind, e.description,
                                   e.amount or "\u2013") for e in report.ledger]))
        if report.ledger_totals:
            blocks.append(Table(columns=("Totals", "Amount"), rows=report.ledger_totals))
    else:
        blocks.append(Para("Nothing was recorded in the ledger this year."))
    blocks.append(Heading(partner, 2))
    if report.feedback:
        for row in report.feedback:
            items = [f"About the students: {row.about_students}" if row.about_students else "",
                     f"About the project: {row.about_project}" if row.about_project else "",
                     f"About the partnership: {row.about_partnership}" if row.about_partnership else "",
                     "Would host students again" if row.would_host_again else "Would not host students again"]
            blocks.append(Para(f"{row.given_by} on {row.project}:"))
            blocks.append(Bullets([item for item in items if item]))
    else:
        blocks.append(Para("No feedback from the partner yet."))
    blocks.append(Heading(students, 2))
    blocks.append(Para(f"Students wrote {report.reflections_written} reflections on these projects; "
                       f"{report.reflections_shared} of them are shared with the partner. Quotes from them follow "
                       "in \u201cIn their words\u201d."))
    blocks.append(Heading(quality, 2))
    answered = [g for g in report.gaps if g.partner is not None or g.school is not None]
    if answered:
        blocks.append(Table(
            columns=("Question (1 to 5)", "Partner", "Medical school", "Gap"),
            rows=[(g.question, _score(g.partner), _score(g.school),
                   "\u2013" if g.gap is None else f"{g.gap:+.1f}") for g in report.gaps],
            caption="The same questions, answered by each side; the gap is the school's score minus the partner's.",
        ))
    else:
        blocks.append(Para("No partnership check-ins were answered this year."))
    blocks.append(Heading(quotes, 2))
    if report.quotes:
        blocks.extend(Quote(q.text, q.attribution) for q in report.quotes)
    else:
        blocks.append(Para("No quotes: none was shared with the partner, or all were withdrawn."))
    blocks.append(Heading(steps, 2))
    blocks.append(Bullets(report.next_steps))
    if report.partner_response:
        blocks.append(Heading("The partner's response", 2))
        blocks.append(Para(report.partner_response))
    return blocks


def chart_blocks(chart: Chart) -> list[Block]:
    blocks: list[Block] = [Heading(chart.title, 3)]
    if chart.is_empty:
        blocks.append(Para("Nothing recorded.", muted=True))
        return blocks
    blocks.append(Table(columns=("", *chart.columns), rows=[(label, *values) for label, values in chart.rows],
                        caption=chart.description))
    return blocks


def equity_blocks(equity: EquityView) -> list[Block]:
    blocks: list[Block] = [
        Para(f"{equity.total_students} students; {equity.consented_characteristics} gave further characteristics "
             "with consent. Groups and counts of fewer than 5 are suppressed.", muted=True),
    ]
    if equity.rows:
        blocks.append(Table(
            columns=("Characteristic", "Group", "Students", *equity.outcomes),
            rows=[(r.characteristic, r.group, "fewer than 5" if r.students is None else str(r.students),
                   *[c.text for c in r.cells]) for r in equity.rows],
        ))
    return blocks


def pack_title(pack: AccountabilityPack) -> str:
    return f"Social accountability {pack.academic_year}: {pack.programme.name}"


def pack_blocks(pack: AccountabilityPack) -> list[Block]:
    blocks: list[Block] = [
        Heading(pack_title(pack), 1),
        Para(f"{pack.projects} projects, {pack.students} students and {len(pack.partners)} partner organisations "
             f"in {pack.academic_year}."),
        Heading("Partners", 2),
    ]
    if pack.partners:
        blocks.append(Table(
            columns=("Partner", "Projects", "Outputs", "Reach", "To the community", "From the community", "Report"),
            rows=[(p.name, str(p.projects), str(p.outputs), f"{p.reach:,}", str(p.to_community),
                   str(p.from_community), p.report) for p in pack.partners],
        ))
    else:
        blocks.append(Para("No partners this year."))
    blocks.append(Heading("The programme in figures", 2))
    for chart in pack.charts:
        blocks.extend(chart_blocks(chart))
    blocks.append(Heading("Equity: outcomes by student group", 2))
    blocks.extend(equity_blocks(pack.equity))
    blocks.append(Heading("In their words", 2))
    if pack.quotes:
        blocks.extend(Quote(q.text, q.attribution) for q in pack.quotes)
    else:
        blocks.append(Para("No quotes: only reflections given for research, in reports the partner reviewed, are "
                           "quoted here."))
    return blocks
