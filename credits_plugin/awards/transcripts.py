"""Awarded credits, as a learner takes them away: the transcript as CSV (cells a spreadsheet
never runs as formulas) and as a PDF (ReportLab)."""

from __future__ import annotations

from html import escape

from django.utils import timezone

from credits_plugin.awards.selectors import awards, learner_summary, licences
from credits_plugin.courses import course_name
from credits_plugin.money import format_credits


def _csv_cell(value) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def transcript_csv(*, user) -> str:
    """The learner's awarded credits as CSV: one row per award, then totals by type.

    Refuses nothing.
    """
    import csv
    import io

    from django.utils.translation import gettext as _

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Course"),
            _("Issued"),
            _("Type"),
            _("Credit"),
            _("Amount"),
            _("Unit"),
            _("Reference number"),
            _("Accrediting body"),
            _("Certificate"),
        ]
    )
    for award in awards(user=user).order_by("issued_at", "course_id", "type_name", "credit_name"):
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    award.course_id,
                    award.issued_at.date().isoformat(),
                    award.type_name,
                    award.credit_name,
                    format_credits(award.amount, localize=False),
                    award.unit_label,
                    award.reference_number,
                    award.accrediting_body,
                    award.certificate_id,
                )
            ]
        )
    summary = learner_summary(user=user)
    if summary["by_type"]:
        writer.writerow([])
        writer.writerow([_("Total"), "", _("Type"), "", _("Amount"), _("Unit")])
        for row in summary["by_type"]:
            writer.writerow(
                [
                    _("Total"),
                    "",
                    _csv_cell(row["type_name"]),
                    "",
                    format_credits(row["amount"], localize=False),
                    _csv_cell(row["unit_label"]),
                ]
            )
    return out.getvalue()


def transcript_pdf(*, user) -> bytes:
    """The learner's awarded credits as a PDF transcript (A4): the learner, their licence
    numbers, one row per award, then totals by type.

    Refuses nothing.
    """
    import io

    from django.utils.translation import gettext as _
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    out = io.BytesIO()
    name = user.get_full_name() or user.get_username()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Transcript of awarded credits"),
        author=name,
    )

    def table(rows: list[list], widths: list[float]) -> Table:
        body = [[Paragraph(escape(str(value)), cell) for value in row] for row in rows]
        result = Table(body, colWidths=[w * mm for w in widths], repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a99a8")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return result

    story: list = [
        Paragraph(escape(_("Transcript of awarded credits")), styles["Title"]),
        Paragraph(escape(_("Learner: {name}").format(name=name)), styles["Normal"]),
        Paragraph(
            escape(_("Issued on {date}").format(date=timezone.now().date().isoformat())), styles["Normal"]
        ),
    ]
    for licence in licences(user=user):
        story.append(
            Paragraph(
                escape(
                    _("Licence number with {body}: {number}").format(
                        body=licence.accrediting_body, number=licence.licence_number
                    )
                ),
                styles["Normal"],
            )
        )
    story.append(Spacer(1, 6 * mm))
    rows = [
        [
            _("Course"),
            _("Issued"),
            _("Type"),
            _("Credit"),
            _("Amount"),
            _("Reference number"),
            _("Accrediting body"),
        ]
    ]
    names: dict[str, str] = {}
    for award in awards(user=user).order_by("issued_at", "course_id", "type_name", "credit_name"):
        if award.course_id not in names:
            names[award.course_id] = course_name(award.course_id)
        rows.append(
            [
                names[award.course_id]
                if names[award.course_id] == award.course_id
                else f"{names[award.course_id]} ({award.course_id})",
                award.issued_at.date().isoformat(),
                award.type_name,
                award.credit_name,
                f"{format_credits(award.amount)} {award.unit_label}",
                award.reference_number,
                award.accrediting_body,
            ]
        )
    if len(rows) == 1:
        story.append(Paragraph(escape(_("No credits have been awarded yet.")), styles["Normal"]))
    else:
        story.append(table(rows, [60, 22, 35, 45, 28, 35, 42]))
        totals = [[_("Type"), _("Total")]] + [
            [row["type_name"], f"{format_credits(row['amount'])} {row['unit_label']}"]
            for row in learner_summary(user=user)["by_type"]
        ]
        story += [Spacer(1, 6 * mm), Paragraph(escape(_("Totals by type")), styles["Heading2"])]
        story.append(table(totals, [80, 40]))
    doc.build(story)
    return out.getvalue()
