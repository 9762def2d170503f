"""A pack request, checked, and the pack composed from it: the story, its metadata and evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from isms_tui.models import Audit, ManagementReview
from isms_tui.reports import layout as L
from isms_tui.reports.layout import Story
from isms_tui.reports.signing import Attachment
from isms_tui.services import audits as audits_service
from isms_tui.services import clock, pack_data
from isms_tui.services import journal as journal_service
from isms_tui.services import review as review_service
from isms_tui.services import workspace as workspace_service
from isms_tui.services.collector import collector_paused
from isms_tui.services.drafts import draft_reason
from isms_tui.services.errors import InputError, cancellable
from isms_tui.services.formatting import iso, plural

from .audits import gather_audits, write_section_92
from .context import Context, Progress
from .cover import write_cover, write_summary
from .evidence import EvidenceSet, write_evidence_register, write_manifest
from .monitoring import gather_kpis, write_section_91
from .nonconformities import write_section_102
from .reviews import gather_reviews, write_section_93
from .single import write_audit_pack, write_review_pack

KINDS = ("clause9", "audit", "review")


@dataclass(frozen=True)
class PackContent:
    """An unsigned pack: the PDF, the evidence files to embed with it, and what it covers."""

    pdf: bytes
    attachments: list[Attachment]
    title: str
    kind: str = "clause9"
    period_from: date | None = None
    period_to: date | None = None
    subject_id: int | None = None
    pages: int = 0


@dataclass(frozen=True)
class PackRequest:
    """What a pack covers, checked: its kind, period and subject (the audit or the review)."""

    kind: str
    period_from: date
    period_to: date
    title: str
    subtitle: str
    audit: Audit | None = None
    review: ManagementReview | None = None

    @property
    def subject_id(self) -> int | None:
        subject = self.audit or self.review
        return subject.id if subject is not None else None


def resolve_request(
    session: Session,
    kind: str = "clause9",
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    audit_id: int | None = None,
    review_id: int | None = None,
) -> PackRequest:
    """Check a pack request before anything is built or signed; InputError with one sentence.

    The Clause 9 pack defaults to the last twelve closed months (a year ending on --to when
    only that is given); an audit's report covers the audit's dates, a review's minutes the
    period the review looked at.
    """
    from isms_tui.services.errors import NotFound

    if kind not in KINDS:
        raise InputError(f"Unknown pack kind {kind!r}; choose clause9, audit or review.")
    if kind == "audit" and audit_id is None:
        raise InputError("Choose the audit to report on.")
    if kind == "review" and review_id is None:
        raise InputError("Choose the management review whose minutes to issue.")
    if kind == "clause9" and (audit_id is not None or review_id is not None):
        raise InputError("A Clause 9 pack covers a period; choose either an audit, a review or a period.")
    if workspace_service.get_workspace(session) is None:
        raise InputError("The workspace has no organisation yet; set it up before issuing a pack.")
    today = clock.today()
    try:
        if kind == "audit":
            assert audit_id is not None  # checked above
            audit = audits_service.get_audit(session, audit_id)
            start = audit.actual_start or audit.planned_start
            end = audit.actual_end or audit.planned_end
            req = PackRequest(
                kind,
                period_from or min(start, end),
                period_to or max(start, end),
                "Internal audit report",
                audit.title,
                audit=audit,
            )
        elif kind == "review":
            assert review_id is not None  # checked above
            review = review_service.get_review(session, review_id)
            req = PackRequest(
                kind,
                period_from or review.period_from,
                period_to or review.period_to,
                "Management review minutes",
                review.title,
                review=review,
            )
        else:
            end = period_to or pack_data.default_period(today)[1]
            start = period_from or pack_data.year_ending(end)
            pack_data.check_period(start, end, today)
            req = PackRequest(kind, start, end, "Clause 9 evidence pack", "Performance evaluation")
    except NotFound as exc:
        raise InputError(str(exc)) from None
    if req.period_to < req.period_from:
        raise InputError("The period cannot end before it starts.")
    return req


@dataclass
class ComposedPack:
    """A pack's story (flowables not laid out yet), its metadata and its evidence files."""

    story: Story
    meta: L.PdfMeta
    attachments: list[Attachment]
    title: str
    request: PackRequest


def build_pack(
    session: Session,
    kind: str = "clause9",
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    audit_id: int | None = None,
    review_id: int | None = None,
    signer: str,
    fingerprint: str,
    ca_fingerprint: str = "",
    issued_by: str = "",
    issued_at: datetime | None = None,
    progress: Progress | None = None,
    checkpoint: Attachment | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PackContent:
    """Build one pack (unsigned) and collect its evidence files as attachments.

    Raises InputError (one sentence) for a bad kind, period or id, or a missing evidence file;
    Cancelled at the next step (a KPI, an audit, a page laid out) once `cancelled()` is true.
    """
    report = cancellable(progress or (lambda _f, _m: None), cancelled)
    req = resolve_request(
        session, kind, period_from=period_from, period_to=period_to, audit_id=audit_id, review_id=review_id
    )
    with collector_paused():  # the story and its rows stay alive until the PDF is laid out
        return _build(session, req, report, signer, fingerprint, ca_fingerprint, issued_by, issued_at, checkpoint)


def _build(
    session: Session,
    req: PackRequest,
    report: Progress,
    signer: str,
    fingerprint: str,
    ca_fingerprint: str,
    issued_by: str,
    issued_at: datetime | None,
    checkpoint: Attachment | None,
) -> PackContent:
    composed = compose_pack(
        session,
        req,
        signer=signer,
        fingerprint=fingerprint,
        ca_fingerprint=ca_fingerprint,
        issued_by=issued_by,
        issued_at=issued_at,
        progress=report,
        checkpoint=checkpoint,
    )
    report(0.55, "Laying out the pages")
    pdf = L.build_pdf(
        composed.story,
        composed.meta,
        lambda f, pages: report(0.55 + 0.43 * f, f"Laying out the pages: {plural(pages, 'page')} so far"),
    )
    report(1.0, "Pack built")
    req = composed.request
    return PackContent(
        pdf=pdf,
        attachments=composed.attachments,
        title=composed.title,
        kind=req.kind,
        period_from=req.period_from,
        period_to=req.period_to,
        subject_id=req.subject_id,
        pages=composed.story.decor.page_count,
    )


def compose_pack(
    session: Session,
    req: PackRequest,
    *,
    signer: str,
    fingerprint: str,
    ca_fingerprint: str = "",
    issued_by: str = "",
    issued_at: datetime | None = None,
    progress: Progress | None = None,
    checkpoint: Attachment | None = None,
) -> ComposedPack:
    """Everything but the layout for a checked request: read the data, write the story, load the evidence."""
    report = progress or (lambda _f, _m: None)
    today = clock.today()
    issued_at = issued_at or clock.now()
    ws = workspace_service.get_workspace(session)
    assert ws is not None  # checked by resolve_request
    report(0.01, "Reading the workspace")
    period_from, period_to, title, subtitle = req.period_from, req.period_to, req.title, req.subtitle
    kind, audit, review = req.kind, req.audit, req.review

    count, head = journal_service.head(session)
    decor = L.Decor(
        title=f"{title}: {subtitle}" if kind != "clause9" else f"{title} · {iso(period_from)} to {iso(period_to)}",
        org=L.clean(ws.org_name),
        footer=f"{L.clean(ws.org_name)} · {title} · issued {iso(issued_at)}",
        draft=draft_reason(audit, review) or "",
    )
    ctx = Context(
        session, Story(decor), kind, today, period_from, period_to, pack_data.people(session), EvidenceSet(), report
    )
    ctx.facts.update(
        org=ws.org_name,
        scope=ws.scope,
        signer=signer,
        fingerprint=fingerprint,
        ca_fingerprint=ca_fingerprint,
        issued_at=issued_at,
        issued_by=issued_by,
        journal=(count, head),
        title=title,
        subtitle=subtitle,
    )

    # Sections first (they register the evidence), the cover last (it counts what is inside).
    body = Story(decor)
    ctx.story = body
    if kind == "clause9":
        write_clause9(ctx)
    elif kind == "audit":
        assert audit is not None
        write_audit_pack(ctx, audit)
    else:
        assert review is not None
        write_review_pack(ctx, review)
    report(0.5, "Reading the evidence files")
    attachments = ctx.evidence.load(session)
    evidence_count = len(attachments)
    if checkpoint is not None:  # the pack's own signed checkpoint of the journal (reports/checkpoints.py)
        attachments.append(checkpoint)
    write_evidence_register(ctx)
    write_manifest(ctx, attachments)

    story = Story(decor)
    ctx.story = story
    write_cover(ctx, evidence_count)
    story.contents_here()
    story.flow.extend(body.flow)
    story._keys = body._keys

    meta = L.PdfMeta(
        title=f"{title}: {subtitle}",
        author=L.clean(ws.org_name),
        subject=f"ISO/IEC 27001:2022 clause 9 · {iso(period_from)} to {iso(period_to)}",
        keywords="ISMS, ISO/IEC 27001:2022, evidence pack",
    )
    return ComposedPack(story, meta, attachments, f"{title}: {subtitle}", req)


def write_clause9(ctx: Context) -> None:
    kpi_part = gather_kpis(ctx)
    prog, audits_all, audits_in = gather_audits(ctx)
    reviews = gather_reviews(ctx)
    write_summary(ctx, kpi_part, prog, audits_all, audits_in, reviews)
    write_section_91(ctx, kpi_part)
    write_section_92(ctx, prog, audits_all, audits_in)
    write_section_93(ctx, reviews)
    write_section_102(ctx)
