"""The demo's KPIs: their definitions, and how each one's history of values looks."""

from __future__ import annotations

import random
from dataclasses import dataclass

from isms_tui.models import (
    Direction,
    Frequency,
    KpiType,
)

from .evidence_reports import (
    EvidenceBuilder,
    access_review,
    patch_report,
    phishing_results,
    restore_test,
    supplier_register,
)
from .reading_notes import Tally


@dataclass(frozen=True)
class Series:
    """How a KPI's values evolve: a level moving through `path`, noise, and a chosen last value.

    The last recorded value is fixed so that the demo shows every status whatever `today` is.
    """

    path: tuple[float, ...]
    last: float
    noise: float
    step: float = 0.1  # values are multiples of this, e.g. 2.5 % is one person in 40
    low: float = 0.0
    high: float = 100.0

    def values(self, rng: random.Random, n: int) -> list[float]:
        out = [self._quantise(self._level(i / max(n - 1, 1)) + rng.gauss(0, self.noise)) for i in range(n - 1)]
        return out + [self.last] if n else []

    def _level(self, x: float) -> float:
        pos = x * (len(self.path) - 1)
        i = min(int(pos), len(self.path) - 2)
        return self.path[i] + (self.path[i + 1] - self.path[i]) * (pos - i)

    def _quantise(self, raw: float) -> float:
        value = round(round(raw / self.step) * self.step, 1)
        return min(max(value, self.low), self.high)


@dataclass(frozen=True)
class KpiSpec:
    """A KPI definition with people and objective by name, and how its history looks."""

    code: str
    name: str
    information_need: str
    method: str
    unit: str
    direction: Direction
    target: float
    warning: float | None
    frequency: Frequency
    kpi_type: KpiType
    requirements: str
    data_source: str
    reporting_format: str
    collector: str
    analyst: str
    objective: str
    series: Series | None  # None: defined this period, nothing to measure yet
    target_high: float | None = None
    warning_high: float | None = None
    grace_days: int | None = None  # None: the usual grace for the frequency
    # Newest closed periods left unrecorded. With no grace days the newest closed period is
    # overdue as soon as it ends, so such a KPI shows as overdue whatever the demo's date.
    missing: int = 0
    analysed: bool = True  # quarterly analyses recorded
    # Causes a collector notes beside a value that misses the target (for a within-range KPI:
    # above the range; `low_notes` below it), after the value restated by `tally`.
    notes: tuple[str, ...] = ()
    low_notes: tuple[str, ...] = ()
    tally: Tally | None = None
    causes: tuple[str, ...] = ()  # conclusions of analyses of off-target readings
    actions: tuple[str, ...] = ()  # their follow-ups, one for each cause
    evidence: EvidenceBuilder | None = None  # report attached to the latest reading
    # Story events the audits and reviews speak of: (days before today, value, note, follow-up of
    # the quarter's analysis), set on the reading whose period holds that day.
    events: tuple[tuple[int, float, str, str], ...] = ()

    def target_text(self) -> str:
        if self.direction == Direction.HIGHER_BETTER:
            return f"≥ {with_unit(self.target, self.unit)}"
        if self.direction == Direction.LOWER_BETTER:
            return f"≤ {with_unit(self.target, self.unit)}"
        return f"{short_number(self.target)}–{with_unit(self.target_high or self.target, self.unit)}"


M, Q, W = Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.WEEKLY
HIGHER, LOWER, RANGE = Direction.HIGHER_BETTER, Direction.LOWER_BETTER, Direction.WITHIN_RANGE
IMPL, EFFECT, IMPACT = KpiType.IMPLEMENTATION, KpiType.EFFECTIVENESS, KpiType.IMPACT

KPIS: tuple[KpiSpec, ...] = (
    KpiSpec(
        "INC-01",
        "Confirmed information security incidents",
        "Are incidents becoming rarer as controls mature?",
        "Count of events confirmed as incidents by the incident coordinator in the month.",
        "incidents",
        LOWER,
        2,
        4,
        M,
        IMPACT,
        "9.1, A.5.24, A.5.25, A.5.26",
        "Service desk incident queue",
        "Monthly bar chart; quarterly table to management review",
        "Ravi Menon",
        "Priya Raman",
        "OBJ-1",
        Series((4, 3, 2), last=1, noise=1.2, step=1, high=12),
        notes=(
            "Among them two phishing-led account compromises, contained the same day.",
            "Among them a lost laptop; disk encrypted and remote wipe confirmed.",
            "Among them a client data extract sent to the wrong recipient; client informed.",
        ),
        tally=Tally("confirmed incidents"),
        causes=(
            "Most incidents started with credential phishing against the sales team.",
            "A misconfigured storage bucket was found by a client's scan; no data was accessed.",
        ),
        actions=(
            "Targeted phishing training for sales; enable number matching in MFA prompts.",
            "Add a storage policy check to the cloud deployment pipeline.",
        ),
    ),
    KpiSpec(
        "PATCH-01",
        "Critical patches installed within SLA",
        "Are known critical vulnerabilities closed quickly on servers and laptops?",
        "Critical patches installed within 14 days of release / critical patches released in the month × 100.",
        "%",
        HIGHER,
        95,
        90,
        M,
        EFFECT,
        "9.1, A.8.8, A.8.19",
        "Patch management console export",
        "Monthly line chart with the SLA line",
        "Marcus Lindqvist",
        "Elena Varga",
        "OBJ-2",
        Series((86, 93, 96), last=92.5, noise=3, step=2.5),
        notes=(
            "Build servers missed the window during the client release freeze.",
            "Vendor withdrew a faulty patch; reinstalled after the fix, past the window.",
        ),
        tally=Tally("critical patches installed late", 40),
        causes=(
            "Servers excluded from automatic patching during release freezes miss the SLA.",
            "The legacy reporting server is patched by hand and was forgotten.",
        ),
        actions=(
            "Agree a freeze exception for critical patches with Development.",
            "Move the legacy reporting server into an automatic patch ring or retire it.",
        ),
        evidence=patch_report,
    ),
    KpiSpec(
        "VULN-01",
        "Mean time to remediate high and critical vulnerabilities",
        "Are vulnerabilities found by scans and tests fixed before they can be exploited?",
        "Mean days from detection to verified fix of high and critical findings closed in the month.",
        "days",
        LOWER,
        30,
        45,
        M,
        EFFECT,
        "9.1, A.8.8",
        "Vulnerability scanner export",
        "Monthly line chart; list of open findings over 30 days",
        "Daniel Kowalski",
        "Priya Raman",
        "OBJ-2",
        Series((55, 36, 27, 38), last=52, noise=4, step=1, high=120),
        notes=(
            "Backlog of findings from the annual penetration test.",
            "Container base images not rebuilt since the last scan.",
        ),
        causes=(
            "Penetration test findings were logged as ordinary backlog items without due dates.",
            "Base images are rebuilt only when an application changes, so old findings linger.",
        ),
        actions=(
            "Give high and critical findings a due date and review them weekly in the ops meeting.",
            "Rebuild base images nightly and redeploy weekly.",
        ),
    ),
    KpiSpec(
        "PHISH-01",
        "Phishing simulation click rate",
        "Do staff recognise phishing emails?",
        "Staff who clicked the link of the month's simulated phishing email / staff targeted × 100.",
        "%",
        LOWER,
        5,
        7.5,
        M,
        EFFECT,
        "9.1, 7.3, A.6.3",
        "Phishing simulation platform report",
        "Monthly line chart; department table each quarter",
        "Priya Raman",
        "Sophie Laurent",
        "OBJ-3",
        Series((17.5, 10, 6, 4), last=2.5, noise=2, step=2.5, high=40),
        notes=("Campaign imitated a parcel delivery notice.", "New starters not yet trained were included."),
        tally=Tally("staff clicked the link", 40, misses=False),
        causes=(
            "Most clicks came from staff who joined in the last three months.",
            "The invoice-themed lure was convincing for finance staff.",
        ),
        actions=(
            "Run the awareness module in onboarding week instead of the first month.",
            "Short refresher for finance on invoice fraud and how to report it.",
        ),
        evidence=phishing_results,
    ),
    KpiSpec(
        "BACKUP-01",
        "Backup restore tests successful",
        "Can client services actually be restored from backup within the RTO?",
        "Restore tests passed within the 4-hour RTO / restore tests run in the month × 100 (four systems a month).",
        "%",
        HIGHER,
        100,
        75,
        M,
        EFFECT,
        "9.1, A.8.13, A.5.30",
        "Backup system restore test log",
        "Monthly table with failed tests explained",
        "Marcus Lindqvist",
        "Elena Varga",
        "OBJ-6",
        Series((90, 97, 99), last=100, noise=10, step=25),
        notes=(
            "Client file exchange restore took longer than the 4-hour RTO.",
            "Customer portal restore stopped: the runbook named a decommissioned backup repository.",
        ),
        tally=Tally("restore tests failed", 4),
        causes=(
            "The restore runbook still referred to a decommissioned backup repository.",
            "Large restores run over the RTO when they share the link with the nightly backups.",
        ),
        actions=(
            "Update the restore runbooks and repeat the failed test next month.",
            "Schedule restore tests outside the backup window.",
        ),
        evidence=restore_test,
        events=(
            (  # the last test before the technological controls audit (about 80 days ago)
                110,
                75,
                "Analytics PostgreSQL cluster restore failed: its backup encryption key was held only by "
                "an administrator on leave. Not repeated yet.",
                "Corrective action for the audit's major NC on A.8.13: keys escrowed, the restore repeated.",
            ),
        ),
    ),
    KpiSpec(
        "TRAIN-01",
        "Security awareness training completion",
        "Have staff received the awareness training 7.3 requires?",
        "Staff and contractors who completed the quarter's module by its deadline / people required to × 100.",
        "%",
        HIGHER,
        95,
        85,
        Q,
        IMPL,
        "9.1, 7.2, 7.3, A.6.3",
        "Learning platform completion report",
        "Quarterly table by team",
        "Sophie Laurent",
        "Priya Raman",
        "OBJ-3",
        Series((78, 90, 96), last=97.5, noise=3, step=2.5),
        notes=(
            "Staff on long leave during the campaign.",
            "Contractors were added to the training population this quarter.",
        ),
        tally=Tally("staff and contractors had not completed the module", 40),
        causes=("Completion is low among contractors, whose managers do not chase them.",),
        actions=("HR chases overdue completions weekly and reports them to line managers.",),
    ),
    KpiSpec(
        "ACCESS-01",
        "Access reviews completed on time",
        "Are access rights to key systems re-validated as planned?",
        "Systems whose quarterly access review was signed off by the due date / systems in the "
        "review schedule × 100 (eight systems).",
        "%",
        HIGHER,
        100,
        90,
        Q,
        IMPL,
        "9.1, A.5.15, A.5.18, A.8.2",
        "Access review tickets",
        "Quarterly sign-off sheet",
        "Ravi Menon",
        "Priya Raman",
        "OBJ-4",
        Series((75, 90, 100), last=100, noise=8, step=12.5),
        grace_days=0,
        missing=1,
        notes=("System owners on leave had no deputy to sign off.",),
        tally=Tally("access reviews signed off late", 8),
        causes=("Reviews slip when a system owner is absent and has no deputy.",),
        actions=("Name a deputy reviewer for every system in the review schedule.",),
        evidence=access_review,
    ),
    KpiSpec(
        "SUPP-01",
        "Critical suppliers with a current security review",
        "Is the security of the suppliers we depend on checked regularly?",
        "Critical suppliers whose last security review is under 12 months old / critical suppliers × 100.",
        "%",
        HIGHER,
        100,
        80,
        Q,
        IMPL,
        "9.1, A.5.19, A.5.21, A.5.22",
        "Supplier register",
        "Quarterly register extract",
        "James Whitfield",
        "Priya Raman",
        "OBJ-5",
        Series((58, 83, 92), last=75, noise=6, step=100 / 12),
        notes=(
            "Reviews wait for assurance reports requested from the suppliers.",
            "Critical suppliers onboarded during the quarter without a review.",
        ),
        tally=Tally("critical suppliers without a current review", 12),
        causes=(
            "Critical suppliers onboarded mid-year had no security review before signature.",
            "Reviews wait for assurance reports that suppliers send late.",
        ),
        actions=(
            "Make the security review a step of the procurement checklist before signature.",
            "Request assurance reports two months before each review is due.",
        ),
        evidence=supplier_register,
    ),
    KpiSpec(
        "MFA-01",
        "User accounts protected by MFA",
        "Can a stolen password alone open an account?",
        "Enabled user accounts with MFA enforced / enabled user accounts × 100, at the end of the week.",
        "%",
        HIGHER,
        99,
        97,
        W,
        IMPL,
        "9.1, A.5.17, A.8.5",
        "Identity provider MFA registration report",
        "Weekly figure; monthly line chart",
        "Ravi Menon",
        "Elena Varga",
        "OBJ-4",
        Series((91, 97, 99.5), last=100, noise=0.8),
        notes=("New starters not yet enrolled.", "Accounts for the new ETL platform created without MFA."),
        causes=("New accounts are created before the user enrols in MFA and stay unenrolled for days.",),
        actions=("Block sign-in for new accounts until MFA enrolment is complete.",),
    ),
    KpiSpec(
        "LOG-01",
        "Security log storage utilisation",
        "Is there room to keep 12 months of security logs without losing events?",
        "Used / provisioned storage of the log cluster × 100, at the end of the week.",
        "%",
        RANGE,
        40,
        30,
        W,
        IMPL,
        "9.1, A.8.15, A.8.6",
        "Log cluster monitoring",
        "Weekly figure; capacity note in the quarterly report",
        "Daniel Kowalski",
        "Elena Varga",
        "OBJ-1",
        Series((35, 55, 72, 60), last=66, noise=4),
        target_high=80,
        warning_high=90,
        grace_days=0,
        missing=3,
        analysed=False,
        notes=(
            "Debug logging left on after an incident investigation.",
            "Retention policy applied late after the cluster resize.",
        ),
        low_notes=("Cluster storage extended ahead of growth; little of it used yet.",),
        causes=("Verbose application logs filled the cluster faster than retention removed them.",),
        actions=("Alert at 75 % utilisation and review log levels after each investigation.",),
    ),
    KpiSpec(
        "EDR-01",
        "Endpoints with active EDR and disk encryption",
        "Are all laptops and servers protected and encrypted?",
        "Endpoints reporting an active EDR agent and full-disk encryption / endpoints in the inventory × 100.",
        "%",
        HIGHER,
        98,
        95,
        W,
        IMPL,
        "9.1, A.8.1, A.8.7, A.8.24",
        "Endpoint protection console inventory",
        "Weekly figure; list of non-compliant devices",
        "Marcus Lindqvist",
        "Elena Varga",
        "OBJ-2",
        Series((93, 97.5, 98.5), last=96.4, noise=1),
        notes=(
            "Developer laptops with the agent disabled after an OS upgrade.",
            "New laptops awaiting enrolment.",
        ),
        causes=("OS upgrades on developer laptops disable the agent until it is re-approved.",),
        actions=("Pre-approve the agent's system extension in the device management profile.",),
    ),
    KpiSpec(
        "FW-01",
        "Firewall rule change requests",
        "Is network change demand within what the team can review properly?",
        "Firewall rule change requests raised in the month (approved or not).",
        "requests",
        RANGE,
        5,
        2,
        M,
        IMPL,
        "9.1, A.8.20, A.8.32",
        "Firewall change tickets and firewall audit log",
        "Monthly count",
        "Elena Varga",
        "Priya Raman",
        "OBJ-4",
        Series((9, 14, 11), last=12, noise=4, step=1, high=40),
        target_high=20,
        warning_high=25,
        analysed=False,
        notes=("Burst of requests for new client VPN tunnels.",),
        low_notes=("Quiet month: most projects in maintenance.",),
        tally=Tally("requests"),
        causes=("The spike came from a client onboarding without a standard network template.",),
        actions=("Create a standard rule template for client onboarding.",),
    ),
    KpiSpec(
        "SDLC-01",
        "Merge requests passing the SAST gate",
        "Do code changes reach production without known security flaws?",
        "Merge requests to main whose SAST job passed without high findings / merge requests "
        "merged in the month × 100.",
        "%",
        HIGHER,
        90,
        80,
        M,
        IMPL,
        "9.1, A.8.25, A.8.28, A.8.29",
        "CI pipeline SAST results",
        "Monthly line chart",
        "Aisha Bello",
        "Priya Raman",
        "OBJ-2",
        None,
    ),
)


def short_number(value: float) -> str:
    return f"{round(value, 1):g}"


def with_unit(value: float, unit: str) -> str:
    return f"{short_number(value)} {unit}".rstrip()
