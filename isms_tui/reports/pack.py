"""The content of the evidence packs: the Clause 9 pack for a period, one audit's report, one
management review's minutes.

Written for the certification auditor who receives the PDF: the sections follow the standard
(9.1, 9.2, 9.3), every status is a colour *and* a label, tables repeat their headers across
pages, and everything the pack claims can be traced to an embedded evidence file (listed with
its SHA-256) or to the workspace's journal (whose head hash is on the cover).

Data comes from the services only; layout from reports.layout. Imported lazily (never at app
start-up): reportlab costs ~0.4 s to import.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Paragraph, Spacer
from sqlmodel import Session, select

from isms_tui.models import (
    Action,
    ActionStatus,
    Audit,
    AuditResult,
    AuditStatus,
    Direction,
    Evidence,
    Frequency,
    Grading,
    Kpi,
    ManagementReview,
    ReviewStatus,
    Status,
)
from isms_tui.services import (
    actions as actions_service,
)
from isms_tui.services import (
    audit_views,
    clock,
    pack_data,
    periods,
    review_views,
)
from isms_tui.services import (
    audits as audits_service,
)
from isms_tui.services import (
    evidence as evidence_service,
)
from isms_tui.services import (
    journal as journal_service,
)
from isms_tui.services import (
    programme as programme_service,
)
from isms_tui.services import (
    review as review_service,
)
from isms_tui.services import (
    workspace as workspace_service,
)
from isms_tui.services.errors import InputError

from . import layout as L
from .layout import BAD, GOOD, INFO, LATE, NEUTRAL, PLANNED, SEVERE, WARN, M, P, Story, Tone, esc
from .signing import Attachment

KINDS = ("clause9", "audit", "review")
Progress = Callable[[float, str], None]

STATUS_TONE: dict[Status, Tone] = {
    Status.ON_TARGET: GOOD,
    Status.WARNING: WARN,
    Status.OFF_TARGET: BAD,
    Status.OVERDUE: LATE,
    Status.NO_DATA: NEUTRAL,
}
RESULT_TONE: dict[str, Tone] = {
    AuditResult.CONFORMING.value: GOOD,
    AuditResult.MAJOR_NC.value: SEVERE,
    AuditResult.MINOR_NC.value: BAD,
    AuditResult.OBSERVATION.value: WARN,
    AuditResult.OFI.value: INFO,
    AuditResult.NOT_APPLICABLE.value: NEUTRAL,
    AuditResult.NOT_AUDITED.value: NEUTRAL,
    "planned": PLANNED,
}
RESULT_CODE: dict[str, str] = {
    AuditResult.CONFORMING.value: "C",
    AuditResult.MAJOR_NC.value: "MAJ",
    AuditResult.MINOR_NC.value: "MIN",
    AuditResult.OBSERVATION.value: "OBS",
    AuditResult.OFI.value: "OFI",
    AuditResult.NOT_APPLICABLE.value: "N/A",
    AuditResult.NOT_AUDITED.value: "NOT AUD",
    "planned": "PLAN",
}
ACTION_TONE = {
    ActionStatus.OPEN.value: WARN,
    ActionStatus.IN_PROGRESS.value: INFO,
    ActionStatus.IMPLEMENTED.value: PLANNED,
    ActionStatus.CLOSED.value: GOOD,
}
AUDIT_TONE = {
    AuditStatus.PLANNED: PLANNED,
    AuditStatus.IN_PROGRESS: INFO,
    AuditStatus.COMPLETED: GOOD,
    AuditStatus.REPORTED: GOOD,
}
REVIEW_TONE = {"draft": WARN, "held": INFO, "approved": GOOD}
VERDICT_TONE = {"met": GOOD, "partly met": WARN, "not met": BAD, "not measured": NEUTRAL}
PER_YEAR = {
    Frequency.WEEKLY: 52,
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.SEMIANNUAL: 2,
    Frequency.ANNUAL: 1,
}
DETAILED_READINGS = 16  # up to this many readings a KPI gets a detailed table, beyond it a grid
MATRIX_AUDITS = 8  # audit columns per coverage matrix table
_NAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")
_MIME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")


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


# -- small formatting helpers -------------------------------------------------------------------


def _u(unicode_text: str, ascii_text: str) -> str:
    return unicode_text if L.fonts().unicode else ascii_text


def fmt_num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if value == int(value) and abs(value) < 1e15:
        text = f"{int(value):,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def target_text(kpi: Kpi) -> str:
    ge, le = _u("≥", ">="), _u("≤", "<=")
    if kpi.direction == Direction.HIGHER_BETTER:
        return f"{ge} {fmt_num(kpi.target, kpi.unit)}"
    if kpi.direction == Direction.LOWER_BETTER:
        return f"{le} {fmt_num(kpi.target, kpi.unit)}"
    return f"{fmt_num(kpi.target)} to {fmt_num(kpi.target_high, kpi.unit)}"


def warning_text(kpi: Kpi) -> str:
    if kpi.warning is None and kpi.warning_high is None:
        return "none"
    ge, le = _u("≥", ">="), _u("≤", "<=")
    if kpi.direction == Direction.HIGHER_BETTER:
        return f"{ge} {fmt_num(kpi.warning, kpi.unit)}"
    if kpi.direction == Direction.LOWER_BETTER:
        return f"{le} {fmt_num(kpi.warning, kpi.unit)}"
    return f"{fmt_num(kpi.warning)} to {fmt_num(kpi.warning_high, kpi.unit)}"


def long_date(day: date | None) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}" if day else "—"


def iso(day: date | datetime | None) -> str:
    if day is None:
        return "—"
    if isinstance(day, datetime):
        return day.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if day.tzinfo else day.strftime("%Y-%m-%d %H:%M")
    return day.isoformat()


def grouped_hex(text: str, group: int = 4) -> str:
    return " ".join(text[i : i + group] for i in range(0, len(text), group))


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def tone_label(tone: Tone, label: str) -> Paragraph:
    return L.tone_cell(tone, label)


def _cell(text: Any) -> Paragraph:
    return P(text if text not in (None, "") else "—", L.styles().cell)


def _muted(text: Any) -> Paragraph:
    return P(text, L.styles().cell_muted)


def _bold(text: Any) -> Paragraph:
    return P(text, L.styles().cell_bold)


def _lines(*parts: tuple[str, Any] | str) -> Paragraph:
    """A cell of several labelled lines ("Method: …"); user text escaped, empty parts skipped."""
    out = []
    for part in parts:
        if isinstance(part, str):
            if part:
                out.append(esc(part))
            continue
        label, value = part
        if value in (None, ""):
            continue
        out.append(f'<font color="{L.MUTED.hexval()}">{esc(label)}:</font> {esc(value)}')
    return M("<br/>".join(out) or "—", L.styles().cell)


# -- evidence ------------------------------------------------------------------------------------


@dataclass
class EvidenceItem:
    evidence: Evidence
    records: list[str] = field(default_factory=list)
    attachment: str = ""


class EvidenceSet:
    """The evidence files of the records in the pack, each once, with every record it backs."""

    def __init__(self) -> None:
        self.items: dict[str, EvidenceItem] = {}

    def add(self, ev: Evidence, record: str) -> None:
        item = self.items.setdefault(ev.sha256, EvidenceItem(ev))
        if record not in item.records:
            item.records.append(record)

    def sorted(self) -> list[EvidenceItem]:
        return sorted(self.items.values(), key=lambda i: (i.evidence.original_name.casefold(), i.evidence.sha256))

    def load(self, session: Session) -> list[Attachment]:
        """Read every file from the store and check it against its hash; a missing or altered
        file stops the pack (a pack must never claim evidence it does not hold)."""
        out: list[Attachment] = []
        used: set[str] = set()
        for item in self.sorted():
            ev = item.evidence
            path = evidence_service.stored_path(session, ev.sha256)
            where = f"linked to {item.records[0]}" if item.records else "in the workspace"
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise InputError(
                    f"The evidence file {ev.original_name!r} ({where}) is missing from the store "
                    f"{evidence_service.store_dir(session)}; restore it from a backup (see `isms evidence verify`)."
                ) from None
            except OSError as exc:
                raise InputError(
                    f"The evidence file {ev.original_name!r} ({where}) cannot be read: {exc.strerror or exc}."
                ) from None
            if hashlib.sha256(data).hexdigest() != ev.sha256:
                raise InputError(
                    f"The evidence file {ev.original_name!r} ({where}) was altered in the store: "
                    "its content no longer matches its SHA-256 (see `isms evidence verify`)."
                )
            name = attachment_name(ev, used)
            used.add(name)
            item.attachment = name
            mime = ev.media_type if _MIME_OK.match(ev.media_type or "") else "application/octet-stream"
            desc = f"{ev.original_name}: " + "; ".join(item.records)
            out.append(Attachment(name=name, data=data, description=L.clean(desc)[:240], mime=mime))
        return sorted(out, key=lambda a: a.name)


def attachment_name(ev: Evidence, used: set[str]) -> str:
    """'evidence-<sha8>-<original name>': unique, no folders or control characters."""
    safe = _NAME_UNSAFE.sub("_", L.clean(ev.original_name)).strip() or "file"
    if len(safe) > 80:
        stem, dot, ext = safe.rpartition(".")
        safe = (stem[: 80 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else safe[:80]
    for n in (8, 16, 64):
        name = f"evidence-{ev.sha256[:n]}-{safe}"
        if name not in used:
            return name
    raise AssertionError("two evidence files with the same SHA-256")  # the store is content-addressed


# -- the pack ------------------------------------------------------------------------------------


@dataclass
class Context:
    """Everything the section builders share."""

    session: Session
    story: Story
    kind: str
    today: date
    period_from: date
    period_to: date
    people: dict[int, str]
    evidence: EvidenceSet
    progress: Progress
    facts: dict[str, Any] = field(default_factory=dict)

    def person(self, pid: int | None) -> str:
        return self.people.get(pid or 0, "") or "—"


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

    The Clause 9 pack defaults to the twelve months up to today; an audit's report covers the
    audit's dates, a review's minutes the period the review looked at.
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
            end = period_to or today
            start = period_from or pack_data.default_period(end)[0]
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
    issued_by: str = "",
    issued_at: datetime | None = None,
    progress: Progress | None = None,
) -> PackContent:
    """Build one pack (unsigned) and collect its evidence files as attachments.

    Raises InputError (one sentence) for a bad kind, period or id, or a missing evidence file.
    """
    report = progress or (lambda _f, _m: None)
    req = resolve_request(
        session, kind, period_from=period_from, period_to=period_to, audit_id=audit_id, review_id=review_id
    )
    composed = compose_pack(
        session, req, signer=signer, fingerprint=fingerprint, issued_by=issued_by, issued_at=issued_at, progress=report
    )
    report(0.55, "Laying out the pages")
    pdf = L.build_pdf(composed.story, composed.meta, lambda f: report(0.55 + 0.43 * f, "Laying out the pages"))
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
    issued_by: str = "",
    issued_at: datetime | None = None,
    progress: Progress | None = None,
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
    )
    ctx = Context(
        session, Story(decor), kind, today, period_from, period_to, pack_data.people(session), EvidenceSet(), report
    )
    ctx.facts.update(
        org=ws.org_name,
        scope=ws.scope,
        signer=signer,
        fingerprint=fingerprint,
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
        _clause9(ctx)
    elif kind == "audit":
        assert audit is not None
        _audit_pack(ctx, audit)
    else:
        assert review is not None
        _review_pack(ctx, review)
    report(0.5, "Reading the evidence files")
    attachments = ctx.evidence.load(session)
    _evidence_register(ctx)
    _manifest(ctx, attachments)

    story = Story(decor)
    ctx.story = story
    _cover(ctx, len(attachments))
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


# -- cover ---------------------------------------------------------------------------------------


def _cover(ctx: Context, n_files: int) -> None:
    st = L.styles()
    s = ctx.story
    f = ctx.facts
    count, head = f["journal"]
    s.add(Spacer(1, 18 * L.mm))
    s.markup(f'<font color="{L.MUTED.hexval()}">ISO/IEC 27001:2022 · ISMS EVIDENCE PACK</font>', st.muted)
    s.space(4)
    s.add(P(f["title"], st.title))
    s.add(P(f["subtitle"], st.subtitle))
    pairs: list[tuple[str, Any]] = [
        ("Organisation", f["org"]),
        ("ISMS scope", f["scope"] or "not recorded"),
        ("Period covered", f"{long_date(ctx.period_from)} to {long_date(ctx.period_to)}"),
        ("Issued", iso(f["issued_at"]) + (f" by {f['issued_by']}" if f["issued_by"] else "")),
        ("Signed by", f["signer"]),
        ("Signer certificate SHA-256", grouped_hex(f["fingerprint"])),
        ("Journal head at issue", f"{grouped_hex(head)}  ({plural(count, 'change')} recorded)"),
        ("Embedded evidence", plural(n_files, "file") + " (see the evidence register and the manifest)"),
    ]
    pairs.extend(ctx.facts.get("cover_extra", []))
    s.add(L.kv_table(pairs, 0.27, mono_keys=("Signer certificate SHA-256", "Journal head at issue")))
    s.space(14)
    s.note(
        "How to check this pack. The PDF is digitally signed (PAdES, SHA-256) and the signature covers the whole "
        "file, including every embedded evidence file. manifest.json, embedded beside them, lists each file's "
        "SHA-256, as does the manifest at the end of this document. Check the signature with `isms verify FILE.pdf "
        "--trust CA.pem`, with poppler's pdfsig after importing the organisation's CA certificate, or in Adobe "
        "Acrobat; any change after signing (an edited byte, an added page or attachment) is reported. The journal "
        "head is the hash of the last entry of the workspace's hash-chained change journal at the moment of issue: "
        "`isms journal verify` on the workspace shows the same head if nothing has changed since."
    )
    s.add(PageBreak())


# -- Clause 9 pack -------------------------------------------------------------------------------


def _clause9(ctx: Context) -> None:
    kpi_part = _gather_kpis(ctx)
    prog, audits_all, audits_in = _gather_audits(ctx)
    reviews = _gather_reviews(ctx)
    _summary(ctx, kpi_part, prog, audits_all, audits_in, reviews)
    _section_91(ctx, kpi_part)
    _section_92(ctx, prog, audits_all, audits_in)
    _section_93(ctx, reviews)


@dataclass
class KpiPart:
    kpi: Kpi
    state: Any
    readings: list[pack_data.ReadingRow]
    statuses: list[Status]
    collector: str
    analyst: str
    objective: str


def _gather_kpis(ctx: Context) -> list[KpiPart]:
    from isms_tui.models import Objective
    from isms_tui.services.evaluation import evaluate_value

    s = ctx.session
    objectives = {o.id: f"{o.code} {o.statement}" for o in s.exec(select(Objective))}
    kpis = pack_data.pack_kpis(s, ctx.period_from, ctx.period_to)
    by_kpi = pack_data.readings_between(s, ctx.period_from, ctx.period_to)
    out = []
    for i, k in enumerate(kpis):
        rows = by_kpi.get(k.id, [])
        out.append(
            KpiPart(
                kpi=k,
                state=pack_data.state_as_of(s, k, ctx.period_to),
                readings=rows,
                statuses=[evaluate_value(k, r.value) for r in rows],
                collector=ctx.person(k.collector_id),
                analyst=ctx.person(k.analyst_id),
                objective=objectives.get(k.objective_id or 0, ""),
            )
        )
        if i % 25 == 0:
            ctx.progress(0.02 + 0.2 * i / max(len(kpis), 1), "Reading the KPIs")
    return out


def _gather_audits(ctx: Context) -> tuple[Any, list[Audit], list[Audit]]:
    prog = programme_service.current_programme(ctx.session, ctx.period_to)
    every = audits_service.list_audits(ctx.session)
    cycle = [a for a in every if prog is not None and a.programme_id == prog.id]
    inside = [
        a
        for a in every
        if (a.actual_start or a.planned_start) <= ctx.period_to
        and (a.actual_end or (a.planned_end if a.status != AuditStatus.IN_PROGRESS else ctx.period_to))
        >= ctx.period_from
    ]
    return prog, cycle, inside


def _gather_reviews(ctx: Context) -> list[ManagementReview]:
    return [
        r
        for r in review_service.list_reviews(ctx.session)
        if ctx.period_from <= (r.held_on or r.planned_on) <= ctx.period_to
    ]


def _summary(
    ctx: Context,
    kpis: list[KpiPart],
    prog: Any,
    cycle: list[Audit],
    inside: list[Audit],
    reviews: list[ManagementReview],
) -> None:
    s = ctx.story
    s.heading(0, "Summary of the period", new_page=True)
    s.para(
        f"This pack presents the evidence of the performance evaluation of the information security "
        f"management system of {ctx.facts['org']} for the period from {long_date(ctx.period_from)} to "
        f"{long_date(ctx.period_to)}, structured by the clauses of ISO/IEC 27001:2022: monitoring, measurement, "
        "analysis and evaluation (9.1), internal audit (9.2) and management review (9.3). Statuses are evaluated "
        f"as of {long_date(ctx.period_to)}."
    )
    counts = Counter(p.state.status for p in kpis)
    readings = sum(len(p.readings) for p in kpis)
    analyses = pack_data.analyses_between(ctx.session, ctx.period_from, ctx.period_to)
    ctx.facts["analyses"] = analyses
    findings = [
        f
        for a in inside
        for f in audits_service.findings(ctx.session, a.id)
        if ctx.period_from <= f.raised_on <= ctx.period_to
    ]
    by_grading = Counter(f.grading for f in findings)
    open_ca = list(actions_service.list_actions(ctx.session, open_only=True, source="finding"))
    overdue = [a for a in open_ca if actions_service.is_overdue(a, ctx.period_to)]
    held = [r for r in reviews if r.held_on]
    rows = [
        [
            "9.1",
            "KPIs monitored",
            plural(len(kpis), "KPI")
            + ": "
            + (", ".join(f"{counts[st]} {st.value}" for st in STATUS_TONE if counts.get(st)) or "none"),
        ],
        ["9.1", "Readings recorded in the period", str(readings)],
        ["9.1", "Analysis and evaluation records", str(len(analyses))],
        [
            "9.2",
            "Audit programme",
            (f"{prog.title} ({iso(prog.cycle_start)} to {iso(programme_service.cycle_end(prog))})")
            if prog
            else "none recorded",
        ],
        [
            "9.2",
            "Audits in the period",
            ", ".join(f"{n} {st.value}" for st, n in Counter(a.status for a in inside).items()) or "none",
        ],
        [
            "9.2",
            "Findings raised in the period",
            ", ".join(f"{by_grading[g]} {g.value}" for g in Grading if by_grading.get(g)) or "none",
        ],
        [
            "10.2",
            "Corrective actions open at the end of the period",
            f"{len(open_ca)} open, {len(overdue)} overdue" if open_ca else "none open",
        ],
        [
            "9.3",
            "Management reviews in the period",
            (f"{len(held)} held (last on {iso(max(r.held_on for r in held))})" if held else "none held")
            + (f", {len(reviews) - len(held)} planned" if len(reviews) > len(held) else ""),
        ],
    ]
    s.add(
        L.data_table(
            ["Clause", "What", "In this period"], [[r[0], _cell(r[1]), _cell(r[2])] for r in rows], [0.9, 3, 6.1]
        )
    )
    s.space(8)
    s.markup(
        "Legend. "
        + " · ".join(
            f'<font color="{t.text.hexval()}">{esc(L.symbol(t) + st.value)}</font>' for st, t in STATUS_TONE.items()
        )
        + ". Every status is shown as a label, not by colour alone.",
        L.styles().muted,
    )
    ctx.facts["cover_extra"] = [
        (
            "Contents of the pack",
            f"{plural(len(kpis), 'KPI')}, {plural(len(inside), 'audit')} in the period, "
            f"{plural(len(reviews), 'management review')}",
        )
    ]


# -- 9.1 -----------------------------------------------------------------------------------------


def _section_91(ctx: Context, parts: list[KpiPart]) -> None:
    s = ctx.story
    st = L.styles()
    s.heading(0, "9.1 Monitoring, measurement, analysis and evaluation", new_page=True)
    s.para(
        "The organisation determined what is monitored and measured, the methods, when and by whom, and when "
        "and by whom the results are analysed and evaluated (the monitoring plan below). The results of the "
        "period follow for every KPI with its trend against the target, then the analysis and evaluation records."
    )
    if not parts:
        s.para("No KPI is defined in this workspace.")
        return
    s.heading(1, "Monitoring plan", ref="9.1 a) to f)")
    rows = []
    for p in parts:
        k = p.kpi
        rows.append(
            [
                M(f"<b>{esc(k.code)}</b><br/>{esc(k.name)}" + ("" if k.active else "<br/><i>retired</i>"), st.cell),
                _lines(
                    ("Need", k.information_need),
                    ("Objective", p.objective),
                    ("Requirements", k.requirements),
                    ("Type", k.kpi_type.value),
                ),
                _lines(
                    ("Method", k.method),
                    ("Unit", k.unit),
                    ("Source", k.data_source),
                    ("Reported as", k.reporting_format),
                ),
                _lines(
                    ("Measured", k.frequency.value),
                    ("Analysed", k.analysis_frequency.value),
                    ("Grace", f"{k.grace_days} days"),
                ),
                _lines(("Measures", p.collector), ("Analyses", p.analyst)),
                _lines(("Target", target_text(k)), ("Warning", warning_text(k))),
            ]
        )
    s.add(
        L.data_table(
            ["KPI", "What (information need)", "How (method)", "When", "Who", "Target"],
            rows,
            [1.45, 2.3, 2.3, 1.25, 1.35, 1.2],
        )
    )

    s.heading(1, "Results by KPI", ref="9.1, evidence of the results")
    s.para(
        f"Status of each KPI on {long_date(ctx.period_to)} and its readings in the period; each KPI's chart, "
        "readings and analyses follow."
    )
    overview = []
    tones = []
    for i, p in enumerate(parts):
        c = Counter(p.statuses)
        last = (
            (f"{periods.period_label(p.state.last_period, p.kpi.frequency)}: {fmt_num(p.state.last_value, p.kpi.unit)}")
            if p.state.last_period
            else "—"
        )
        overview.append(
            [
                _bold(p.kpi.code),
                _cell(p.kpi.name),
                str(len(p.readings)),
                f"{c.get(Status.ON_TARGET, 0)} / {c.get(Status.WARNING, 0)} / {c.get(Status.OFF_TARGET, 0)}",
                _cell(last),
                tone_label(STATUS_TONE[p.state.status], p.state.status.value),
                _cell(p.state.trend or "—"),
            ]
        )
        tones.append((5, i, STATUS_TONE[p.state.status]))
    s.add(
        L.data_table(
            ["KPI", "Name", "Readings", "On / warn / off", "Last reading", "Status", "Trend"],
            overview,
            [1.3, 3.0, 0.95, 1.25, 1.55, 1.35, 1.1],
            tones=tones,
            align_right=(2,),
        )
    )
    analyses = ctx.facts.get("analyses") or pack_data.analyses_between(ctx.session, ctx.period_from, ctx.period_to)
    by_kpi: dict[str, list[pack_data.AnalysisRow]] = {}
    for a in analyses:
        by_kpi.setdefault(a.kpi_code, []).append(a)
    links = pack_data.evidence_links(ctx.session, {"reading": [r.id for p in parts for r in p.readings]})
    files: dict[int, list[Evidence]] = {}
    for ev, _entity, rid in links:
        files.setdefault(rid, []).append(ev)
    for i, p in enumerate(parts):
        _kpi_results(ctx, p, by_kpi.get(p.kpi.code, []), files)
        if i % 10 == 0:
            ctx.progress(0.22 + 0.13 * i / len(parts), "Charting the KPIs")
    _analysis_section(ctx, parts, analyses)


def _kpi_results(
    ctx: Context, p: KpiPart, analyses: list[pack_data.AnalysisRow], files: dict[int, list[Evidence]]
) -> None:
    s = ctx.story
    st = L.styles()
    k = p.kpi
    s.heading(2, f"{k.code}  {k.name}", keep=95 * L.mm)
    tone = STATUS_TONE[p.state.status]
    last = (
        (
            f"last reading {periods.period_label(p.state.last_period, k.frequency)} = "
            f"{fmt_num(p.state.last_value, k.unit)}"
        )
        if p.state.last_period
        else "no reading yet"
    )
    s.markup(
        f'<font color="{tone.text.hexval()}"><b>{esc(L.symbol(tone) + p.state.status.value)}</b></font>'
        f" on {esc(iso(ctx.period_to))} · {esc(last)}"
        + (f" · trend {esc(p.state.trend)}" if p.state.trend else "")
        + f" · target {esc(target_text(k))}, warning {esc(warning_text(k))}"
        + f" · measured {esc(k.frequency.value)} by {esc(p.collector)}, analysed "
        f"{esc(k.analysis_frequency.value)} by {esc(p.analyst)}",
        st.muted,
    )
    if p.state.overdue_periods:
        missing = ", ".join(periods.period_label(d, k.frequency) for d in sorted(p.state.overdue_periods)[:8])
        s.markup(
            f'<font color="{LATE.text.hexval()}">Readings overdue for {esc(missing)}'
            f"{' and more' if len(p.state.overdue_periods) > 8 else ''}.</font>",
            st.muted,
        )
    if not p.readings:
        s.para("No reading was recorded in the period.", st.muted)
    else:
        s.space(3)
        s.add(_kpi_chart(ctx, p))
        s.space(4)
        s.add(*_readings_table(p, files))
        noted = [(r, files.get(r.id, [])) for r in p.readings if files.get(r.id)]
        for r, evs in noted:
            for ev in evs:
                ctx.evidence.add(ev, f"Reading {k.code} {periods.period_label(r.period_start, k.frequency)}")
    if analyses:
        s.space(4)
        rows = [
            [
                iso(a.analysis.analysed_on),
                _cell(_analysis_period(a, k)),
                _cell(a.analyst),
                _cell(a.analysis.conclusion),
                _cell(a.analysis.follow_up or "—"),
            ]
            for a in analyses
        ]
        s.add(
            L.data_table(["Analysed", "Period", "Analyst", "Conclusion", "Follow-up"], rows, [1.0, 1.0, 1.3, 3.85, 2.4])
        )
    elif p.readings:
        s.para("No analysis of this KPI was recorded in the period.", st.muted)


def _analysis_period(a: pack_data.AnalysisRow, kpi: Kpi | None) -> str:
    if kpi is None:
        return iso(a.analysis.period_start)
    return periods.period_label(a.analysis.period_start, kpi.frequency)


def _kpi_chart(ctx: Context, p: KpiPart) -> L.TrendChart:
    k = p.kpi
    lines: list[L.ChartLine] = []
    if k.direction == Direction.WITHIN_RANGE:
        lines.append(L.ChartLine(k.target, f"target from {fmt_num(k.target, k.unit)}", L.GREEN_LINE))
        if k.target_high is not None:
            lines.append(L.ChartLine(k.target_high, f"to {fmt_num(k.target_high, k.unit)}", L.GREEN_LINE))
        if k.warning is not None:
            lines.append(L.ChartLine(k.warning, f"warning from {fmt_num(k.warning, k.unit)}", L.AMBER_LINE, True))
        if k.warning_high is not None:
            lines.append(L.ChartLine(k.warning_high, f"to {fmt_num(k.warning_high, k.unit)}", L.AMBER_LINE, True))
    else:
        lines.append(L.ChartLine(k.target, f"target {target_text(k)}", L.GREEN_LINE))
        if k.warning is not None:
            lines.append(L.ChartLine(k.warning, f"warning {warning_text(k)}", L.AMBER_LINE, True))
    # Every period of the range gets a slot, so a missing reading shows as a gap.
    slots: list[date] = []
    start = periods.period_start(ctx.period_from, k.frequency)
    if start < ctx.period_from:
        start = periods.next_period(start, k.frequency)
    first = min([start] + [r.period_start for r in p.readings])
    d = first
    while d <= ctx.period_to and len(slots) < 400:
        slots.append(d)
        d = periods.next_period(d, k.frequency)
    value_at = {r.period_start: (r.value, st) for r, st in zip(p.readings, p.statuses, strict=True)}
    slots = sorted(set(slots) | set(value_at))
    labels = [periods.period_label(x, k.frequency) for x in slots]
    values = [value_at[x][0] if x in value_at else None for x in slots]
    tones = [STATUS_TONE[value_at[x][1]] if x in value_at else None for x in slots]
    return L.TrendChart(labels, values, lines, tones, unit=k.unit)


def _readings_table(p: KpiPart, files: dict[int, list[Evidence]]) -> list[Flowable]:
    """Up to DETAILED_READINGS readings: one line each with its note and evidence; more (weekly
    KPIs): a compact grid of period, value and status three abreast, then the notes."""
    k = p.kpi
    if len(p.readings) <= DETAILED_READINGS:
        rows, tones = [], []
        for i, (r, stt) in enumerate(zip(p.readings, p.statuses, strict=True)):
            evs = files.get(r.id, [])
            rows.append(
                [
                    periods.period_label(r.period_start, k.frequency),
                    fmt_num(r.value, k.unit),
                    tone_label(STATUS_TONE[stt], stt.value),
                    _cell(r.entered_by),
                    _cell(r.note or "—"),
                    _cell(", ".join(e.original_name for e in evs) or "—"),
                ]
            )
            tones.append((2, i, STATUS_TONE[stt]))
        return [
            L.data_table(
                ["Period", "Value", "Status", "Entered by", "Note", "Evidence"],
                rows,
                [0.85, 0.9, 1.35, 1.5, 3.1, 2.3],
                tones=tones,
                align_right=(1,),
            )
        ]
    per = 3
    n_rows = -(-len(p.readings) // per)
    rows = []
    toned: list[tuple[int, int, Tone]] = []
    for row in range(n_rows):
        cells: list[Any] = []
        for col in range(per):
            idx = col * n_rows + row
            if idx < len(p.readings):
                r, stt = p.readings[idx], p.statuses[idx]
                cells += [
                    periods.period_label(r.period_start, k.frequency),
                    fmt_num(r.value, k.unit),
                    L.symbol(STATUS_TONE[stt]) + stt.value,
                ]
                toned.append((col * 3 + 2, row + 1, STATUS_TONE[stt]))
            else:
                cells += ["", "", ""]
        rows.append(cells)
    extra = L.tone_commands(toned, text=True)
    extra += [("LINEAFTER", (c * 3 + 2, 0), (c * 3 + 2, -1), 0.8, L.RULE) for c in range(per - 1)]
    table = L.data_table(
        ["Period", "Value", "Status"] * per,
        rows,
        [1, 1, 1.25] * per,
        align_right=tuple(c * 3 + 1 for c in range(per)),
        extra=extra,
    )
    notes = [(r, files.get(r.id, [])) for r in p.readings if r.note or files.get(r.id)]
    if not notes:
        return [table]
    note_rows = [
        [
            periods.period_label(r.period_start, k.frequency),
            _cell(r.entered_by),
            _cell(r.note or "—"),
            _cell(", ".join(e.original_name for e in evs) or "—"),
        ]
        for r, evs in notes
    ]
    return [
        table,
        Spacer(1, 4),
        L.data_table(["Period", "Entered by", "Note", "Evidence"], note_rows, [0.9, 1.5, 4.4, 2.4]),
    ]


def _analysis_section(ctx: Context, parts: list[KpiPart], analyses: list[pack_data.AnalysisRow]) -> None:
    s = ctx.story
    s.heading(1, "Analysis and evaluation", ref="9.1 e) and f)")
    years = max(((ctx.period_to - ctx.period_from).days + 1) / 365.25, 1 / 52)
    counts = Counter(a.kpi_code for a in analyses)
    last: dict[str, date] = {}
    for a in analyses:
        last[a.kpi_code] = max(last.get(a.kpi_code, a.analysis.analysed_on), a.analysis.analysed_on)
    s.para(
        "When and by whom each KPI's results were analysed and evaluated in the period, against the analysis "
        "frequency of the monitoring plan."
    )
    rows, tones = [], []
    for i, p in enumerate(parts):
        k = p.kpi
        expected = max(1, round(PER_YEAR[k.analysis_frequency] * years)) if p.readings else 0
        done = counts.get(k.code, 0)
        tone, label = (
            (GOOD, "on schedule")
            if done >= expected
            else (WARN, "fewer than planned")
            if done
            else (BAD, "not analysed")
        )
        if not expected:
            tone, label = NEUTRAL, "nothing to analyse"
        rows.append(
            [
                _bold(k.code),
                _cell(p.analyst),
                k.analysis_frequency.value,
                f"{done} of {expected}",
                iso(last.get(k.code)),
                tone_label(tone, label),
            ]
        )
        tones.append((5, i, tone))
    s.add(
        L.data_table(
            ["KPI", "Analyst", "Frequency", "Records", "Last analysed", "Assessment"],
            rows,
            [1.3, 1.8, 1.1, 0.9, 1.2, 1.9],
            tones=tones,
            align_right=(3,),
        )
    )
    isms = [a for a in analyses if a.kpi_code == "ISMS"]
    s.heading(2, "Evaluations of the ISMS as a whole", toc=False, keep=40 * L.mm)
    if isms:
        rows = [
            [
                iso(a.analysis.analysed_on),
                _cell(a.analyst),
                _cell(a.analysis.conclusion),
                _cell(a.analysis.follow_up or "—"),
            ]
            for a in isms
        ]
        s.add(L.data_table(["Date", "Analyst", "Conclusion", "Follow-up"], rows, [0.95, 1.3, 4.6, 2.6]))
    else:
        s.para(
            "No evaluation of the ISMS as a whole was recorded in the period; the KPI analyses are listed "
            "with each KPI above.",
            L.styles().muted,
        )


# -- 9.2 -----------------------------------------------------------------------------------------


def _section_92(ctx: Context, prog: Any, cycle: list[Audit], inside: list[Audit]) -> None:
    s = ctx.story
    s.heading(0, "9.2 Internal audit", new_page=True)
    s.para(
        "The audit programme and its risk-based priorities, the coverage of the requirements of the standard "
        "by the audits of the cycle, and every audit that took place in the period, with its plan, the "
        "impartiality of its auditors, its results by requirement, its findings and their corrective actions."
    )
    s.heading(1, "9.2.2 Internal audit programme", ref="9.2.2")
    if prog is None:
        s.para("No audit programme is recorded in this workspace.")
    else:
        s.add(
            L.kv_table(
                [
                    ("Programme", prog.title),
                    (
                        "Cycle",
                        f"{long_date(prog.cycle_start)} to {long_date(programme_service.cycle_end(prog))} "
                        f"({plural(prog.cycle_years, 'year')})",
                    ),
                    ("Owner", ctx.person(prog.owner_id)),
                    ("Objectives", prog.objectives),
                    ("Methods", prog.methods),
                    ("Responsibilities", prog.responsibilities),
                ]
            )
        )
        s.space(6)
        _programme_audits(ctx, cycle)
        s.heading(2, "Risk-based priorities", toc=False, keep=50 * L.mm)
        s.para(
            "Frequency and depth follow the importance of each area and the results of previous audits.",
            L.styles().muted,
        )
        prios = programme_service.priorities(ctx.session, ctx.period_to)
        if prios:
            rows = [
                [
                    _bold(p.area.name),
                    f"{p.area.importance} of 5",
                    f"{p.interval_months} months",
                    iso(p.last_audited),
                    iso(p.next_due),
                    _cell("; ".join(p.reasons)),
                ]
                for p in prios
            ]
            s.add(
                L.data_table(
                    ["Area", "Importance", "Interval", "Last audited", "Next due", "Why"],
                    rows,
                    [1.9, 1.05, 0.95, 1.1, 1.05, 3.45],
                )
            )
        else:
            s.para("No audit areas are defined.", L.styles().muted)
        _coverage(ctx, prog)
    s.heading(1, "Audits in the period", ref="9.2.1 and 9.2.2")
    if not inside:
        s.para("No audit took place in the period.")
    for i, audit in enumerate(inside):
        _audit_block(ctx, audit, title_level=2, sub_level=3, numbered=f"Audit {audit.id}: ")
        ctx.progress(0.35 + 0.1 * (i + 1) / len(inside), "Writing the audit reports")


def _programme_audits(ctx: Context, cycle: list[Audit]) -> None:
    s = ctx.story
    if not cycle:
        s.para("The programme plans no audit yet.", L.styles().muted)
        return
    rows = []
    tones = []
    counts = Counter()
    for f in (f for a in cycle for f in audits_service.findings(ctx.session, a.id)):
        counts[(f.audit_id, f.grading)] += 1
    for i, a in enumerate(cycle):
        found = ", ".join(f"{counts[(a.id, g)]} {g.value}" for g in Grading if counts.get((a.id, g))) or "—"
        actual = (
            (f"{iso(a.actual_start)} to\n{iso(a.actual_end)}" if a.actual_end else f"{iso(a.actual_start)} to\n…")
            if a.actual_start
            else "—"
        )
        rows.append(
            [
                str(a.id),
                _cell(a.title),
                _cell(audit_views.ref_ranges(a.scope_refs)),
                _cell(f"{iso(a.planned_start)} to\n{iso(a.planned_end)}"),
                _cell(actual),
                _cell(ctx.person(a.lead_auditor_id)),
                tone_label(AUDIT_TONE[a.status], a.status.value),
                _cell(found),
            ]
        )
        tones.append((6, i, AUDIT_TONE[a.status]))
    s.add(
        L.data_table(
            ["#", "Audit", "Scope", "Planned", "Actual", "Lead auditor", "Status", "Findings"],
            rows,
            [0.3, 1.8, 1.5, 1.15, 1.15, 1.05, 1.15, 1.6],
            tones=tones,
        )
    )


def _coverage(ctx: Context, prog: Any) -> None:
    s = ctx.story
    st = L.styles()
    cov = programme_service.coverage(ctx.session, prog.id)
    s.heading(1, "Coverage of the requirements", ref="9.2.2: the whole ISMS over the cycle", keep=120 * L.mm)
    covered = len(cov.rows) - len(cov.uncovered)
    s.para(
        f"{covered} of {len(cov.rows)} requirements ({cov.percent}%) are in the scope of at least one audit "
        "of the cycle, audited or planned. Each cell gives the result recorded for the requirement in that "
        "audit; an empty cell means the requirement is not in the audit's scope."
    )
    if cov.uncovered:
        refs = ", ".join(r.ref for r in cov.uncovered)
        s.markup(f"<b>Not yet covered:</b> {esc(refs)}.", st.muted)
    legend = " · ".join(
        f'<font color="{RESULT_TONE[k].text.hexval()}"><b>{esc(code)}</b></font> {esc(k)}'
        for k, code in RESULT_CODE.items()
    )
    s.markup("Legend: " + legend + ".", st.muted)
    if not cov.audits:
        s.para("No audit is planned in the programme yet.", st.muted)
        return
    for start in range(0, len(cov.audits), MATRIX_AUDITS):
        group = cov.audits[start : start + MATRIX_AUDITS]
        if len(cov.audits) > MATRIX_AUDITS:
            s.heading(3, f"Audits {start + 1} to {start + len(group)} of {len(cov.audits)}", toc=False, keep=60 * L.mm)
        key = "; ".join(
            f"A{a.id} = {a.title} ({iso(a.actual_start or a.planned_start)}, {a.status.value})" for a in group
        )
        s.para(key, st.muted)
        header = ["Ref", "Requirement"] + [f"A{a.id}" for a in group]
        rows: list[list[Any]] = []
        cmds: list[tuple] = []
        toned: list[tuple[int, int, Tone]] = []
        for ri, row in enumerate(cov.rows):
            title = (
                _cell(row.title)
                if row.covered
                else M(
                    f'{esc(row.title)} <font color="{BAD.text.hexval()}"><b>{esc(L.symbol(BAD))}not covered</b></font>',
                    st.cell,
                )
            )
            cells: list[Any] = [row.ref, title]
            for ci, value in enumerate(row.cells[start : start + len(group)]):
                if value:
                    tone = RESULT_TONE.get(value, NEUTRAL)
                    cells.append(RESULT_CODE.get(value, value))
                    toned.append((ci + 2, ri + 1, tone))
                else:
                    cells.append("")
            if not row.covered:
                cmds.append(("TEXTCOLOR", (0, ri + 1), (0, ri + 1), BAD.text))
            rows.append(cells)
        cmds += L.tone_commands(toned, text=True)
        cmds += [
            ("ALIGN", (2, 0), (-1, -1), "CENTER"),
            ("FONT", (2, 1), (-1, -1), st.fonts.bold, 6.8, 8.6),
            ("FONT", (0, 1), (0, -1), st.fonts.regular, 7.4, 9.4),
        ]
        widths = [0.75, 3.6] + [0.62] * len(group)
        s.add(L.data_table(header, rows, widths, extra=cmds))


def _audit_block(ctx: Context, audit: Audit, *, title_level: int | None, sub_level: int, numbered: str = "") -> None:
    """One audit: plan, impartiality, conclusion, results by requirement, findings and actions.

    Sub-headings at `sub_level` (in the contents when at level 2 or above)."""
    s = ctx.story
    st = L.styles()
    view = audit_views.audit_view(ctx.session, audit.id)
    items = audits_service.items(ctx.session, audit.id)
    sub = sub_level
    in_toc = sub <= 2
    if title_level is not None:
        s.heading(title_level, f"{numbered}{audit.title}", keep=80 * L.mm)
    s.heading(sub, "Plan", ref="9.2.2 c) and d): criteria, scope, auditors", toc=in_toc, keep=50 * L.mm)
    actual = (
        "not started"
        if not audit.actual_start
        else f"{long_date(audit.actual_start)} to {long_date(audit.actual_end)}"
        if audit.actual_end
        else f"started {long_date(audit.actual_start)}, in progress"
    )
    s.add(
        L.kv_table(
            [
                ("Status", tone_label(AUDIT_TONE[audit.status], audit.status.value)),
                ("Programme", view.programme.title if view.programme else "not part of a programme"),
                ("Scope (requirements)", audit_views.ref_ranges(audit.scope_refs) or "—"),
                ("Scope (areas)", ", ".join(audit.scope_areas) or "—"),
                ("Criteria", audit.criteria),
                ("Methods", audit.methods),
                ("Planned", f"{long_date(audit.planned_start)} to {long_date(audit.planned_end)}"),
                ("Fieldwork", actual),
                ("Lead auditor", view.lead or "—"),
                ("Audit team", ", ".join(view.team) or "none besides the lead auditor"),
                ("Auditees", audit.auditees),
            ]
        )
    )
    s.heading(sub, "Impartiality", ref="9.2.2 d): objectivity and impartiality", toc=in_toc, keep=40 * L.mm)
    if view.conflicts:
        s.para("An auditor of this audit is responsible for an area in its scope:", st.body)
        s.add(
            L.data_table(
                ["Person", "Role in the audit", "Area in scope they are responsible for"],
                [[_cell(c.person), c.role, _cell(c.area)] for c in view.conflicts],
                [2, 1.4, 4],
            )
        )
        s.space(4)
        if audit.independence_declaration:
            s.add(
                L.kv_table(
                    [
                        ("Independence declaration", audit.independence_declaration),
                        ("Declared by", f"{audit.declared_by or '—'} on {iso(audit.declared_at)}"),
                    ]
                )
            )
        else:
            s.markup(
                f'<font color="{BAD.text.hexval()}"><b>No independence declaration is recorded</b></font>: '
                "the audit cannot start until the auditor is changed or the declaration is made.",
                st.body,
            )
    else:
        s.para(
            "No auditor of this audit is responsible for an area in its scope (checked against the areas each "
            "person is responsible for).",
            st.body,
        )
        if audit.independence_declaration:
            s.add(
                L.kv_table(
                    [
                        ("Independence declaration", audit.independence_declaration),
                        ("Declared by", f"{audit.declared_by or '—'} on {iso(audit.declared_at)}"),
                    ]
                )
            )
    s.heading(sub, "Summary and conclusion", ref="9.2.2 e): results reported", toc=in_toc, keep=30 * L.mm)
    s.add(
        L.kv_table(
            [
                ("Summary", audit.summary or "not written yet"),
                (
                    "Conclusion",
                    audit.conclusion
                    or (
                        "not written yet: the audit is not completed"
                        if audit.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)
                        else "not written"
                    ),
                ),
            ]
        )
    )
    s.heading(sub, "Results by requirement", ref="9.2.1 a) and b)", toc=in_toc, keep=60 * L.mm)
    prog = view.progress
    counts = "; ".join(f"{prog.counts.get(r, 0)} {r.value}" for r in AuditResult if prog.counts.get(r))
    s.para(
        f"{plural(prog.total, 'line')} in the working paper, {prog.done} with a result"
        + (f": {counts}." if counts else "."),
        st.muted,
    )
    links = pack_data.evidence_links(ctx.session, {audit_views.EVIDENCE_ENTITY: [i.id for i in items]})
    files: dict[int, list[Evidence]] = {}
    for ev, _e, item_id in links:
        files.setdefault(item_id, []).append(ev)
    rows, tones = [], []
    for i, item in enumerate(items):
        res = item.result.value if item.result else None
        evs = files.get(item.id, [])
        for ev in evs:
            ctx.evidence.add(ev, f"Audit {audit.id}, line {item.position} ({item.ref})")
        sample = ""
        if item.sample_population or item.sample_size is not None or item.sample_items:
            sample = " ".join(
                x
                for x in (
                    item.sample_population,
                    f"({item.sample_size} sampled)" if item.sample_size is not None else "",
                    item.sample_items,
                )
                if x
            )
        rows.append(
            [
                str(item.position),
                _bold(item.ref),
                _cell(item.title),
                tone_label(RESULT_TONE[res], res) if res else _muted("no result yet"),
                _lines(
                    item.notes,
                    ("Methods", ", ".join(str(m) for m in item.methods)),
                    ("Sample", sample),
                    ("Evidence", ", ".join(e.original_name for e in evs)),
                ),
            ]
        )
        if res:
            tones.append((3, i, RESULT_TONE[res]))
    if rows:
        s.add(
            L.data_table(
                ["#", "Ref", "Requirement", "Result", "Notes, methods, sample and evidence"],
                rows,
                [0.35, 0.7, 2.3, 1.35, 4.6],
                tones=tones,
            )
        )
    s.heading(sub, "Findings and corrective actions", ref="9.2.2 and 10.2", toc=in_toc, keep=40 * L.mm)
    _findings(ctx, view)


def _findings(ctx: Context, view: audit_views.AuditView) -> None:
    s = ctx.story
    if not view.findings:
        s.para("No findings were raised.", L.styles().muted)
        return
    rows, tones = [], []
    for i, fv in enumerate(view.findings):
        f, act = fv.finding, fv.action
        tone = RESULT_TONE.get(f.grading.value, NEUTRAL)
        statement = _lines(f.statement, ("Evidence", f.evidence), ("Raised", iso(f.raised_on)))
        rows.append(
            [str(i + 1), _bold(f.ref), tone_label(tone, f.grading.value), statement, _action_cell(ctx, act, fv.owner)]
        )
        tones.append((2, i, tone))
    s.add(
        L.data_table(
            ["#", "Ref", "Grading", "Finding and evidence", "Corrective action"],
            rows,
            [0.3, 0.7, 1.3, 3.6, 3.7],
            tones=tones,
        )
    )


def _action_cell(ctx: Context, act: Action | None, owner: str) -> Paragraph:
    st = L.styles()
    if act is None:
        return M(f'<font color="{L.MUTED.hexval()}">No action required for this grading.</font>', st.cell)
    overdue = actions_service.is_overdue(act, ctx.period_to)
    tone = BAD if overdue else ACTION_TONE.get(act.status.value, NEUTRAL)
    label = act.status.value + (" · overdue" if overdue else "")
    head = f'<font color="{tone.text.hexval()}"><b>{esc(L.symbol(tone) + label)}</b></font>  #{act.id}'
    parts = [head, esc(act.title)]
    muted = L.MUTED.hexval()

    def line(label_text: str, value: Any) -> None:
        if value not in (None, ""):
            parts.append(f'<font color="{muted}">{esc(label_text)}:</font> {esc(value)}')

    line("Owner", owner or "—")
    line("Due", iso(act.due_date) if act.due_date else "")
    line("Correction", act.correction)
    line("Root cause", act.root_cause)
    line("Corrective action", act.corrective_action)
    if act.effectiveness:
        line(
            "Effectiveness",
            f"{act.effectiveness.value}, checked by {ctx.person(act.effectiveness_by_id)} on "
            f"{iso(act.effectiveness_on)}: {act.effectiveness_notes}",
        )
    line("Closed", iso(act.closed_on) if act.closed_on else "")
    return M("<br/>".join(parts), st.cell)


# -- 9.3 -----------------------------------------------------------------------------------------


def _section_93(ctx: Context, reviews: list[ManagementReview]) -> None:
    s = ctx.story
    s.heading(0, "9.3 Management review", new_page=True)
    s.para(
        "Each management review of the period: its inputs (9.3.2), assembled from the workspace's data for the "
        "review's period and commented by management, and its results (9.3.3): decisions and actions with "
        "owners and due dates. An approved review is shown exactly as frozen at approval."
    )
    if not reviews:
        s.para("No management review was held or planned in the period.")
    for i, r in enumerate(reviews):
        _review_block(ctx, r, title_level=1, sub_level=2)
        ctx.progress(0.45 + 0.05 * (i + 1) / len(reviews), "Writing the management reviews")


def _review_block(ctx: Context, review: ManagementReview, *, title_level: int | None, sub_level: int) -> None:
    """One review: its record, the inputs a to g, decisions and actions (as frozen when approved)."""
    s = ctx.story
    st = L.styles()
    record = review_service.minutes(ctx.session, review)
    live = review_views.current_actions(ctx.session, review.id, ctx.today)
    info = record["review"]
    if title_level is not None:
        s.heading(title_level, info["title"], ref="9.3.1", keep=70 * L.mm)
    status = review.status.value
    pairs: list[tuple[str, Any]] = [
        ("Status", tone_label(REVIEW_TONE.get(status, NEUTRAL), status)),
        ("Planned", long_date(review.planned_on)),
        ("Held", long_date(review.held_on) if review.held_on else "not held yet"),
        ("Chair", info.get("chair") or "—"),
        ("Attendees", ", ".join(info.get("attendees") or []) or "—"),
        (
            "Period reviewed",
            f"{long_date(date.fromisoformat(info['period'][0]))} to {long_date(date.fromisoformat(info['period'][1]))}",
        ),
    ]
    if review.status == ReviewStatus.APPROVED:
        pairs += [
            ("Approved", f"by {review.approved_by} on {iso(review.approved_at)}"),
            ("Frozen record SHA-256", grouped_hex(review.snapshot_sha256 or "")),
        ]
    s.add(L.kv_table(pairs, mono_keys=("Frozen record SHA-256",)))
    sub = sub_level
    s.heading(sub, "9.3.2 Management review inputs", toc=sub <= 2, keep=50 * L.mm)
    for inp in record["inputs"]:
        key = inp["section"]
        letter = key[0] + (f") {key[1:]}" if len(key) > 1 else "")
        s.heading(3, f"{letter}) {inp['title']}", keep=35 * L.mm, toc=False)
        renderer = _INPUT_RENDERERS.get(key)
        if inp.get("data") is not None and renderer is not None:
            renderer(ctx, inp["data"])
        if key in review_service.ENTRY_SECTIONS or inp.get("entries"):
            _entries(ctx, review, key, inp.get("entries") or [])
        if inp.get("commentary"):
            s.add(L.kv_table([("Management's commentary", inp["commentary"])]))
        else:
            s.para("No commentary recorded.", st.muted)
    s.heading(sub, "9.3.3 Management review results", ref="decisions and actions", toc=sub <= 2, keep=40 * L.mm)
    decisions = record.get("decisions") or []
    if not decisions:
        s.para(
            "No decisions recorded."
            if review.status != ReviewStatus.DRAFT
            else "The review has not been held yet: no decisions.",
            st.muted,
        )
    for n, d in enumerate(decisions, 1):
        s.add(CondPageBreak(30 * L.mm))
        s.markup(f"<b>Decision {n}</b> · <i>{esc(d['kind'])}</i><br/>{esc(d['text'])}", st.body)
        if not d["actions"]:
            s.para("No action needed.", st.muted)
            continue
        rows, tones = [], []
        for i, a in enumerate(d["actions"]):
            now = live.get(a["id"])
            rec_tone = ACTION_TONE.get(a["status"], NEUTRAL)
            cells = [
                str(a["id"]),
                _cell(a["title"]),
                _cell(a.get("owner") or "—"),
                a.get("due") or "—",
                tone_label(rec_tone, a["status"]),
            ]
            if now:
                now_tone = BAD if now["overdue"] else ACTION_TONE.get(now["status"], NEUTRAL)
                cells.append(tone_label(now_tone, now["status"] + (" · overdue" if now["overdue"] else "")))
                tones.append((5, i, now_tone))
            else:
                cells.append(_muted("removed"))
            tones.append((4, i, rec_tone))
            rows.append(cells)
        s.add(
            L.data_table(
                ["#", "Action", "Owner", "Due", "Recorded", f"On {iso(ctx.today)}"],
                rows,
                [0.4, 3.6, 1.4, 1.0, 1.3, 1.5],
                tones=tones,
            )
        )
        s.space(6)


def _entries(ctx: Context, review: ManagementReview, section: str, entries: list[dict[str, Any]]) -> None:
    s = ctx.story
    st = L.styles()
    if not entries:
        s.para("No entries.", st.muted)
        return
    s.space(4)
    shas = [f["sha256"] for e in entries for f in e.get("evidence", [])]
    known = pack_data.evidence_by_sha(ctx.session, shas)
    rows = []
    for i, e in enumerate(entries, 1):
        names = []
        for f in e.get("evidence", []):
            ev = known.get(f["sha256"])
            if ev is not None:
                ctx.evidence.add(ev, f"Management review {review.id}, input {section}): {L.clean(e['title'])}")
            names.append(f["name"])
        rows.append(
            [
                str(i),
                _bold(e["title"]),
                _lines(e.get("detail") or "", ("Source", e.get("source"))),
                _cell(", ".join(names) or "—"),
            ]
        )
    s.add(L.data_table(["#", "Entry", "Detail and source", "Evidence"], rows, [0.35, 2.4, 4.6, 2.0]))


def _render_a(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    if data.get("first_review"):
        s.para(
            "This is the first management review recorded: there are no actions of previous reviews to follow up.",
            L.styles().muted,
        )
        return
    rows = data.get("actions", [])
    overdue = sum(1 for r in rows if r.get("overdue"))
    s.para(
        f"{plural(len(rows), 'action')} decided at previous reviews: {data.get('closed', 0)} closed, "
        f"{data.get('open', 0)} open ({overdue} overdue)."
    )
    if rows:
        table, tones = [], []
        for i, r in enumerate(rows):
            tone = BAD if r.get("overdue") else ACTION_TONE.get(r["status"], NEUTRAL)
            origin = f"{r.get('review', '')} ({r.get('review_date', '')})"
            table.append(
                [
                    str(r["id"]),
                    _cell(r["title"]),
                    _cell(origin),
                    _cell(r.get("owner") or "—"),
                    r.get("due") or "—",
                    tone_label(tone, r["status"] + (" · overdue" if r.get("overdue") else "")),
                    f"×{r['carried_over']}" if r.get("carried_over") else "—",
                ]
            )
            tones.append((5, i, tone))
        s.add(
            L.data_table(
                ["#", "Action", "Decided at", "Owner", "Due", "Status", "Carried"],
                table,
                [0.4, 3.0, 2.0, 1.2, 0.95, 1.3, 0.7],
                tones=tones,
            )
        )


def _render_d1(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    g, ca = data.get("by_grading", {}), data.get("corrective_actions", {})
    s.para(
        f"{plural(data.get('raised', 0), 'nonconformity', 'nonconformities')} raised in the period "
        f"({g.get('major NC', 0)} major, {g.get('minor NC', 0)} minor). "
        f"Corrective actions{' on ' + ca['as_of'] if ca.get('as_of') else ''}: {ca.get('open', 0)} open, "
        f"{ca.get('overdue', 0)} overdue, {ca.get('closed_in_period', 0)} closed in the period, "
        f"{ca.get('not_effective_checks', 0)} found not effective."
    )
    trend = data.get("trend") or []
    if trend:
        s.add(
            L.data_table(
                ["Quarter"] + [q["quarter"] for q in trend],
                [["raised"] + [str(q["raised"]) for q in trend], ["closed"] + [str(q["closed"]) for q in trend]],
                [1.2] + [1] * len(trend),
                align_right=tuple(range(1, len(trend) + 1)),
            )
        )
        s.space(4)
    if data.get("findings"):
        rows, tones = [], []
        for i, f in enumerate(data["findings"]):
            tone = RESULT_TONE.get(f["grading"], NEUTRAL)
            rows.append([f["raised_on"], _bold(f["ref"]), tone_label(tone, f["grading"]), _cell(f["statement"])])
            tones.append((2, i, tone))
        s.add(L.data_table(["Raised", "Ref", "Grading", "Statement"], rows, [0.95, 0.75, 1.2, 6.5], tones=tones))


def _render_d2(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    kpis = data.get("kpis", [])
    total = sum(k["readings"] for k in kpis)
    on = sum(k["on_target"] for k in kpis)
    share = f"{round(100 * on / total)}% of readings on target" if total else "no readings"
    s.para(
        f"{plural(len(kpis), 'KPI')}, {plural(total, 'reading')} in the period; {share}; "
        f"{plural(data.get('analyses_recorded', 0), 'analysis record')}."
    )
    shares = data.get("on_target_share_by_quarter") or []
    if shares:
        s.add(
            L.data_table(
                ["Quarter"] + [q["quarter"] for q in shares],
                [["on target"] + [f"{q['share']}%" if q["share"] is not None else "—" for q in shares]],
                [1.2] + [1] * len(shares),
                align_right=tuple(range(1, len(shares) + 1)),
            )
        )
        s.space(4)
    if kpis:
        rows, tones = [], []
        for i, k in enumerate(kpis):
            stt = Status(k["last_status"])
            rows.append(
                [
                    _bold(k["code"]),
                    _cell(k["name"]),
                    str(k["on_target"]),
                    str(k["warning"]),
                    str(k["off_target"]),
                    fmt_num(k["last"], k.get("unit", "")),
                    tone_label(STATUS_TONE[stt], stt.value),
                    k.get("trend") or "—",
                ]
            )
            tones.append((6, i, STATUS_TONE[stt]))
        s.add(
            L.data_table(
                ["KPI", "Name", "On", "Warn", "Off", "Last", "Last status", "Trend"],
                rows,
                [1.2, 3.1, 0.5, 0.62, 0.5, 1.05, 1.3, 1.0],
                tones=tones,
                align_right=(2, 3, 4, 5),
            )
        )


def _render_d3(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    audits = data.get("audits", [])
    s.para(
        f"{plural(len(audits), 'audit')} completed in the period; {data.get('planned_or_running', 0)} planned "
        "or running."
    )
    if audits:
        rows = []
        for a in audits:
            results = ", ".join(f"{n} {r}" for r, n in a.get("results", {}).items()) or "no results recorded"
            found = ", ".join(f"{n} {g}" for g, n in a.get("findings", {}).items()) or "no findings"
            rows.append(
                [_bold(a["title"]), a["ended"], _cell(results), _cell(found), _cell(a.get("conclusion") or "—")]
            )
        s.add(L.data_table(["Audit", "Ended", "Results", "Findings", "Conclusion"], rows, [2.0, 0.95, 2.1, 1.6, 2.8]))


def _render_d4(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    objectives = data.get("objectives", [])
    if not objectives:
        s.para("No objectives recorded.", L.styles().muted)
        return
    rows, tones = [], []
    for i, o in enumerate(objectives):
        kpis = ", ".join(f"{k['code']} ({k['status']})" for k in o.get("kpis", [])) or "no KPI"
        tone = VERDICT_TONE.get(o["verdict"], NEUTRAL)
        rows.append(
            [
                _bold(o["code"]),
                _lines(o["statement"], ("Target", o.get("target")), ("Owner", o.get("owner")), ("Due", o.get("due"))),
                _cell(kpis),
                tone_label(tone, o["verdict"]),
            ]
        )
        tones.append((3, i, tone))
    s.add(L.data_table(["Code", "Objective", "KPIs (status)", "Verdict"], rows, [0.8, 4.6, 2.6, 1.3], tones=tones))


def _render_g(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    ofis, follow = data.get("audit_opportunities", []), data.get("analysis_follow_ups", [])
    s.para(
        f"{plural(len(ofis), 'opportunity', 'opportunities')} for improvement from audits; "
        f"{plural(len(follow), 'follow-up')} proposed by KPI analyses."
    )
    if ofis:
        s.add(
            L.data_table(
                ["Ref", "Opportunity raised by an audit"],
                [[_bold(o["ref"]), _cell(o["statement"])] for o in ofis],
                [0.9, 8.5],
            )
        )
        s.space(4)
    if follow:
        s.add(
            L.data_table(
                ["KPI", "Analysed", "Follow-up proposed"],
                [[_bold(f["kpi"]), f["analysed_on"], _cell(f["follow_up"])] for f in follow],
                [1.1, 1.0, 7.3],
            )
        )


_INPUT_RENDERERS: dict[str, Callable[[Context, dict[str, Any]], None]] = {
    "a": _render_a,
    "d1": _render_d1,
    "d2": _render_d2,
    "d3": _render_d3,
    "d4": _render_d4,
    "g": _render_g,
}


# -- single-audit and single-review packs --------------------------------------------------------


def _audit_pack(ctx: Context, audit: Audit) -> None:
    s = ctx.story
    s.heading(0, f"9.2 Internal audit: {audit.title}", new_page=True, toc_text=f"9.2 Internal audit: {audit.title}")
    s.para(
        "The report of one internal audit: its plan and scope, the impartiality of its auditors, the results "
        "by requirement, the findings and the corrective actions they opened (10.2)."
    )
    ctx.facts["cover_extra"] = [("Audit", f"#{audit.id}, {audit.status.value}")]
    _audit_block(ctx, audit, title_level=None, sub_level=1)
    ctx.progress(0.45, "Audit report written")


def _review_pack(ctx: Context, review: ManagementReview) -> None:
    s = ctx.story
    s.heading(0, f"9.3 Management review: {review.title}", new_page=True)
    s.para("The minutes of one management review: the record, its inputs (9.3.2) and its results (9.3.3).")
    ctx.facts["cover_extra"] = [("Management review", f"#{review.id}, {review.status.value}")]
    _review_block(ctx, review, title_level=None, sub_level=1)
    ctx.progress(0.45, "Minutes written")


# -- appendices ----------------------------------------------------------------------------------


def _evidence_register(ctx: Context) -> None:
    s = ctx.story
    st = L.styles()
    s.heading(0, "Evidence register", new_page=True)
    items = ctx.evidence.sorted()
    if not items:
        s.para("No evidence file is linked to the records in this pack.")
        return
    s.para(
        f"{plural(len(items), 'evidence file')} back the records of this pack. Each is embedded in this PDF "
        "under the attachment name shown (open the attachments panel of your PDF reader, or run "
        "`pdfdetach -list`); its SHA-256 lets anyone check the file is the one the workspace holds."
    )
    rows = []
    for i, item in enumerate(items, 1):
        ev = item.evidence
        rows.append(
            [
                str(i),
                M(
                    f"<b>{esc(ev.original_name)}</b><br/>"
                    f'<font color="{L.MUTED.hexval()}">{esc(item.attachment)}</font>',
                    st.cell,
                ),
                _cell("; ".join(item.records)),
                size_text(ev.size),
                M(L.hash_lines(ev.sha256), st.cell_mono),
            ]
        )
    s.add(
        L.data_table(
            ["#", "File (attachment name)", "Linked record", "Size", "SHA-256"],
            rows,
            [0.35, 2.9, 2.6, 0.8, 2.9],
            align_right=(3,),
        )
    )


def _manifest(ctx: Context, attachments: list[Attachment]) -> None:
    s = ctx.story
    st = L.styles()
    s.heading(0, "Manifest of embedded files", keep=80 * L.mm)
    s.para(
        "The files embedded in this PDF with their SHA-256. The same list is embedded as manifest.json when the "
        "pack is signed; the signature covers this document, every file and the manifest, so a changed, removed "
        "or added file is detected by `isms verify` and by any PAdES validator."
    )
    if not attachments:
        s.para("No evidence files are embedded; manifest.json lists none.", st.muted)
        return
    rows = [
        [P(a.name, st.cell), size_text(len(a.data)), M(L.hash_lines(a.sha256), st.cell_mono)]
        for a in sorted(attachments, key=lambda a: a.name)
    ]
    s.add(L.data_table(["Attachment", "Size", "SHA-256"], rows, [4.4, 0.9, 4.2], align_right=(1,)))


__all__ = ["KINDS", "ComposedPack", "PackContent", "PackRequest", "build_pack", "compose_pack", "resolve_request"]
