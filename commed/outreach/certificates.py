"""Certificates of participation for pupils, as PDF (fpdf2). Only what the pupil did, nothing sensitive."""

from __future__ import annotations

from fpdf import FPDF

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.outreach.models import PlacementPupil, Pupil, Registration


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; replace anything else rather than fail on a name.
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(*, actor: User, pupil: Pupil) -> bytes:
    activities = [
        f"{r.activity.title} ({r.activity.get_kind_display().lower()}), {r.activity.on:%d %B %Y}"
        for r in Registration.objects.filter(pupil=pupil, attended=True).select_related("activity")
        .order_by("activity__on")
    ]
    placements = [
        f"Work experience at {row.placement.host.name}, {row.placement.starts_on:%d %B} to "
        f"{row.placement.ends_on:%d %B %Y}"
        for row in PlacementPupil.objects.filter(pupil=pupil, completed=True).select_related("placement__host")
    ]
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(f"Certificate for {pupil.first_name} {pupil.last_name}"))
    pdf.set_author("commed")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 28)
    pdf.cell(0, 30, "Certificate of participation", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 16)
    pdf.cell(0, 12, "This is to certify that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(0, 16, _latin1(f"{pupil.first_name} {pupil.last_name}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 16)
    pdf.cell(0, 12, _latin1(f"of {pupil.school.name} took part in {pupil.programme.name}"), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 12)
    for line in activities + placements or ["Enrolled on the programme"]:
        pdf.multi_cell(0, 7, _latin1(f"- {line}"), new_x="LMARGIN", new_y="NEXT")
    audit_record(actor=actor, action=Action.EXPORT, obj=pupil, summary="certificate produced")
    return bytes(pdf.output())
