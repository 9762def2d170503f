"""A realistic demo workspace: a fictional 40-person company with two years of 9.1 history
and, from demo_audits, its internal audit programme, audits, findings and corrective actions.

Deterministic by construction (one seeded generator, every date derived from `today`) so tests
and snapshots can pin it. The organisation, people, objectives and KPI definitions go through the
services, which validate them. Readings and analyses are backdated history, which the services
cannot express (they stamp entries with the real clock and refuse analysis dates after it), so
they are built here with the dates they would have had and inserted in one flush each; the
journal hook records them like any other change.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from isms_tui.models import Analysis, Direction, Frequency, Kpi, KpiType, Reading, Status

from . import evidence, periods, workspace
from .demo_audits import create_audit_history
from .demo_reviews import add_reviews
from .errors import InputError
from .evaluation import evaluate_value, goodness
from .kpis import KpiInput, save_kpi

SEED = 27001
HISTORY_MONTHS = 27  # a little over two years, so year-on-year comparisons have data
RECENT_MONTHS = 6  # off-target readings this recent always have an analysis
GRACE_DAYS = {Frequency.WEEKLY: 3, Frequency.MONTHLY: 10, Frequency.QUARTERLY: 21}

ORG_NAME = "Northwind Analytics Ltd"
SCOPE = (
    "The design, development, hosting and support of the Northwind data analytics platform and "
    "the related consulting services, delivered by the 40 staff of Northwind Analytics Ltd from "
    "its Leeds office and from home, including the cloud infrastructure, corporate IT, and the "
    "people and suppliers involved."
)
EMAIL_DOMAIN = "northwind-analytics.example"


@dataclass(frozen=True)
class _PersonSpec:
    name: str
    role: str
    areas: tuple[str, ...]

    @property
    def email(self) -> str:
        return self.name.lower().replace(" ", ".") + "@" + EMAIL_DOMAIN


PEOPLE: tuple[_PersonSpec, ...] = (
    _PersonSpec(
        "Priya Raman",
        "Information Security Officer (CISO)",
        ("ISMS management", "Risk management", "Security awareness"),
    ),
    _PersonSpec("Tom Okafor", "Managing Director", ("Top management", "Management review")),
    _PersonSpec("Elena Varga", "Head of IT Operations", ("IT operations", "Backups", "Network security")),
    _PersonSpec(
        "Marcus Lindqvist", "Systems Administrator", ("IT operations", "Patch management", "Endpoint security")
    ),
    _PersonSpec("Aisha Bello", "Head of Development", ("Development", "Secure development")),
    _PersonSpec(
        "Daniel Kowalski",
        "DevOps Engineer",
        ("Cloud infrastructure", "Logging and monitoring", "Vulnerability management"),
    ),
    _PersonSpec("Sophie Laurent", "HR Manager", ("HR", "Security awareness training")),
    _PersonSpec("James Whitfield", "Finance and Procurement Manager", ("Suppliers", "Finance")),
    _PersonSpec("Hannah Schmidt", "Office Manager", ("Physical security", "Facilities")),
    _PersonSpec("Ravi Menon", "Service Desk Lead", ("Incident management", "Access management", "Service desk")),
    _PersonSpec("Olivia Chen", "Compliance and Data Protection Lead", ("Privacy", "Compliance")),
)
SECURITY_OFFICER = PEOPLE[0].name


@dataclass(frozen=True)
class _ObjectiveSpec:
    code: str
    statement: str
    target: str
    owner: str
    due_in_months: int  # due at the end of the quarter this many months after today


OBJECTIVES: tuple[_ObjectiveSpec, ...] = (
    _ObjectiveSpec(
        "OBJ-1",
        "Limit the impact of information security incidents on clients.",
        "At most 2 confirmed incidents a month and no client data exposed over the year.",
        "Priya Raman",
        12,
    ),
    _ObjectiveSpec(
        "OBJ-2",
        "Keep systems patched and protected against known vulnerabilities.",
        "95 % of critical patches within 14 days; high and critical vulnerabilities "
        "fixed within 30 days on average; EDR active on 98 % of endpoints.",
        "Elena Varga",
        6,
    ),
    _ObjectiveSpec(
        "OBJ-3",
        "Build a security-aware workforce.",
        "95 % of staff complete awareness training each quarter; phishing simulation click rate at or below 5 %.",
        "Sophie Laurent",
        9,
    ),
    _ObjectiveSpec(
        "OBJ-4",
        "Restrict access to client data and systems to authorised people.",
        "All quarterly access reviews completed on time; MFA on at least 99 % of accounts.",
        "Priya Raman",
        4,
    ),
    _ObjectiveSpec(
        "OBJ-5",
        "Manage the information security of critical suppliers.",
        "Every critical supplier has a security review less than 12 months old.",
        "James Whitfield",
        7,
    ),
    _ObjectiveSpec(
        "OBJ-6",
        "Recover client services reliably after a failure.",
        "Every monthly restore test succeeds within the 4-hour RTO.",
        "Elena Varga",
        12,
    ),
)


@dataclass(frozen=True)
class _Series:
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


EvidenceBuilder = Callable[[random.Random, date, float, str], tuple[str, str]]
"""(rng, period start, value, collector) -> (file name, text) of a report backing a reading."""

_HOSTS = ("app", "db", "etl", "web", "vpn", "build", "mon", "file")


def _patch_report(rng: random.Random, period: date, value: float, _by: str) -> tuple[str, str]:
    """The patch console's CSV export: 40 critical patch installations in the month."""
    total = 40
    late = set(rng.sample(range(total), total - round(value * total / 100)))
    lines = ["host,patch,severity,released,installed,days_to_install,within_sla"]
    for i in range(total):
        host = f"nw-{rng.choice(_HOSTS)}-{rng.randint(1, 12):02d}"
        released = period + timedelta(days=rng.randint(0, 7))
        days = rng.randint(15, 20) if i in late else rng.randint(1, 14)
        lines.append(
            f"{host},KB{rng.randint(5020000, 5049999)},critical,{released},"
            f"{released + timedelta(days=days)},{days},{'no' if i in late else 'yes'}"
        )
    return f"patch-compliance-{periods.period_label(period, Frequency.MONTHLY)}.csv", "\n".join(lines) + "\n"


def _restore_test(rng: random.Random, period: date, value: float, by: str) -> tuple[str, str]:
    """The tester's summary of the month's four restore tests."""
    systems = ("Analytics PostgreSQL cluster", "GitLab", "Client file exchange", "Customer portal")
    passed = round(value * len(systems) / 100)
    failed = set(rng.sample(range(len(systems)), len(systems) - passed))
    label = periods.period_label(period, Frequency.MONTHLY)
    lines = [f"Backup restore test {label}", f"Tester: {by}", "RTO: 4 h", ""]
    for i, system in enumerate(systems):
        minutes = rng.randint(250, 400) if i in failed else rng.randint(20, 200)
        result = "FAILED (over RTO)" if i in failed else "passed"
        lines.append(
            f"- {system}: restored to the isolated test network in {minutes} min, checksums verified: {result}"
        )
    lines += ["", f"Result: {passed} of {len(systems)} restores passed ({value:g} %)."]
    return f"restore-test-{label}.txt", "\n".join(lines) + "\n"


def _phishing_results(rng: random.Random, period: date, value: float, _by: str) -> tuple[str, str]:
    """The simulation platform's per-department summary of one campaign to all 40 staff."""
    departments = (("Development", 14), ("Data services", 10), ("Operations", 6), ("Sales", 5), ("Administration", 5))
    staff = [name for name, size in departments for _ in range(size)]
    clickers = rng.sample(staff, round(value * len(staff) / 100))
    lines = ["department,recipients,opened,clicked,reported"]
    for name, size in departments:
        clicked = clickers.count(name)
        opened = min(size, clicked + rng.randint(1, size))
        lines.append(f"{name},{size},{opened},{clicked},{rng.randint(0, opened - clicked)}")
    label = periods.period_label(period, Frequency.MONTHLY)
    return f"phishing-campaign-{label}.csv", "\n".join(lines) + "\n"


def _access_review(rng: random.Random, period: date, value: float, by: str) -> tuple[str, str]:
    """The sign-off sheet of the quarter's access reviews, one per system."""
    systems = (
        ("Microsoft 365", "Elena Varga"),
        ("GitLab", "Aisha Bello"),
        ("AWS production", "Daniel Kowalski"),
        ("Analytics platform", "Aisha Bello"),
        ("CRM", "James Whitfield"),
        ("Finance system", "James Whitfield"),
        ("HR system", "Sophie Laurent"),
        ("Firewall admin", "Elena Varga"),
    )
    late = set(rng.sample(range(len(systems)), len(systems) - round(value * len(systems) / 100)))
    due = periods.period_end(period, Frequency.QUARTERLY)
    label = periods.period_label(period, Frequency.QUARTERLY)
    lines = [f"Access reviews {label} (due {due})", f"Compiled by {by}", ""]
    for i, (system, owner) in enumerate(systems):
        done = due + timedelta(days=rng.randint(5, 20)) if i in late else due - timedelta(days=rng.randint(1, 25))
        lines.append(
            f"- {system}: reviewed by {owner} on {done}, accounts removed: "
            f"{rng.randint(0, 4)}, {'LATE' if i in late else 'on time'}"
        )
    lines += ["", f"{len(systems) - len(late)} of {len(systems)} reviews on time ({value:g} %)."]
    return f"access-review-{label}.txt", "\n".join(lines) + "\n"


def _supplier_register(rng: random.Random, period: date, value: float, _by: str) -> tuple[str, str]:
    """An extract of the supplier register: the 12 critical suppliers and their last review."""
    suppliers = (
        "Cloud hosting",
        "Managed backup",
        "Email and office suite",
        "Payroll bureau",
        "Phishing simulation platform",
        "Source code hosting",
        "Identity provider",
        "Colocation data centre",
        "IT hardware reseller",
        "Penetration testers",
        "Customer support tooling",
        "Data visualisation licence",
    )
    end = periods.period_end(period, Frequency.QUARTERLY)
    stale = set(rng.sample(range(len(suppliers)), len(suppliers) - round(value * len(suppliers) / 100)))
    lines = ["supplier,service,tier,last_review,review_current"]
    for i, service in enumerate(suppliers):
        age = rng.randint(400, 600) if i in stale else rng.randint(10, 360)
        lines.append(
            f"Supplier {chr(65 + i)},{service},critical,{end - timedelta(days=age)},{'no' if i in stale else 'yes'}"
        )
    label = periods.period_label(period, Frequency.QUARTERLY)
    return f"supplier-reviews-{label}.csv", "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _KpiSpec:
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
    series: _Series | None  # None: defined this period, nothing to measure yet
    target_high: float | None = None
    warning_high: float | None = None
    grace_days: int | None = None  # None: the usual grace for the frequency
    # Newest closed periods left unrecorded. With no grace days the newest closed period is
    # overdue as soon as it ends, so such a KPI shows as overdue whatever the demo's date.
    missing: int = 0
    analysed: bool = True  # quarterly analyses recorded
    notes: tuple[str, ...] = ()  # reading notes when a value misses the target
    causes: tuple[str, ...] = ()  # conclusions of analyses of off-target readings
    actions: tuple[str, ...] = ()  # their follow-ups
    evidence: EvidenceBuilder | None = None  # report attached to the latest reading

    def target_text(self) -> str:
        if self.direction == Direction.HIGHER_BETTER:
            return f"≥ {_show(self.target, self.unit)}"
        if self.direction == Direction.LOWER_BETTER:
            return f"≤ {_show(self.target, self.unit)}"
        return f"{_num(self.target)}–{_show(self.target_high or self.target, self.unit)}"


M, Q, W = Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.WEEKLY
HIGHER, LOWER, RANGE = Direction.HIGHER_BETTER, Direction.LOWER_BETTER, Direction.WITHIN_RANGE
IMPL, EFFECT, IMPACT = KpiType.IMPLEMENTATION, KpiType.EFFECTIVENESS, KpiType.IMPACT

KPIS: tuple[_KpiSpec, ...] = (
    _KpiSpec(
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
        _Series((4, 3, 2), last=1, noise=1.2, step=1, high=12),
        notes=(
            "Two phishing-led account compromises, contained the same day.",
            "Lost laptop; disk encrypted and remote wipe confirmed.",
            "Client data extract sent to the wrong recipient; client informed.",
        ),
        causes=(
            "Most incidents started with credential phishing against the sales team.",
            "A misconfigured storage bucket was found by a client's scan; no data was accessed.",
        ),
        actions=(
            "Targeted phishing training for sales; enable number matching in MFA prompts.",
            "Add a storage policy check to the cloud deployment pipeline.",
        ),
    ),
    _KpiSpec(
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
        _Series((86, 93, 96), last=92.5, noise=3, step=2.5),
        notes=(
            "Three build servers missed the window during the client release freeze.",
            "Vendor withdrew a faulty patch; reinstalled after the fix.",
        ),
        causes=(
            "Servers excluded from automatic patching during release freezes miss the SLA.",
            "The legacy reporting server is patched by hand and was forgotten.",
        ),
        actions=(
            "Agree a freeze exception for critical patches with Development.",
            "Move the legacy reporting server into an automatic patch ring or retire it.",
        ),
        evidence=_patch_report,
    ),
    _KpiSpec(
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
        _Series((55, 36, 27, 38), last=52, noise=4, step=1, high=120),
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
    _KpiSpec(
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
        _Series((17.5, 10, 6, 4), last=2.5, noise=2, step=2.5, high=40),
        notes=("Campaign imitated a parcel delivery notice.", "New starters not yet trained were included."),
        causes=(
            "Most clicks came from staff who joined in the last three months.",
            "The invoice-themed lure was convincing for finance staff.",
        ),
        actions=(
            "Run the awareness module in onboarding week instead of the first month.",
            "Short refresher for finance on invoice fraud and how to report it.",
        ),
        evidence=_phishing_results,
    ),
    _KpiSpec(
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
        _Series((90, 97, 99), last=100, noise=10, step=25),
        notes=(
            "File exchange restore took longer than the 4-hour RTO.",
            "Database restore failed: backup encryption key was not in the vault.",
        ),
        causes=(
            "The restore runbook still referred to a decommissioned backup repository.",
            "The encryption key for one backup job was held by a single administrator.",
        ),
        actions=(
            "Update the restore runbooks and repeat the failed test next month.",
            "Escrow every backup encryption key in the password vault.",
        ),
        evidence=_restore_test,
    ),
    _KpiSpec(
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
        _Series((78, 90, 96), last=97.5, noise=3, step=2.5),
        notes=(
            "Six people on leave during the campaign.",
            "Contractors were added to the training population this quarter.",
        ),
        causes=("Completion is low among contractors, whose managers do not chase them.",),
        actions=("HR chases overdue completions weekly and reports them to line managers.",),
    ),
    _KpiSpec(
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
        _Series((75, 90, 100), last=100, noise=8, step=12.5),
        grace_days=0,
        missing=1,
        notes=("CRM review completed two weeks late: system owner on leave.",),
        causes=("Reviews slip when a system owner is absent and has no deputy.",),
        actions=("Name a deputy reviewer for every system in the review schedule.",),
        evidence=_access_review,
    ),
    _KpiSpec(
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
        _Series((58, 83, 92), last=75, noise=6, step=100 / 12),
        notes=(
            "Hosting provider's SOC 2 report requested, not yet received.",
            "Two new critical suppliers onboarded without a review.",
        ),
        causes=(
            "Critical suppliers onboarded mid-year had no security review before signature.",
            "Reviews wait for assurance reports that suppliers send late.",
        ),
        actions=(
            "Make the security review a step of the procurement checklist before signature.",
            "Request assurance reports two months before each review is due.",
        ),
        evidence=_supplier_register,
    ),
    _KpiSpec(
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
        _Series((91, 97, 99.5), last=100, noise=0.8),
        notes=("Two new starters not yet enrolled.", "Accounts for the new ETL platform created without MFA."),
        causes=("New accounts are created before the user enrols in MFA and stay unenrolled for days.",),
        actions=("Block sign-in for new accounts until MFA enrolment is complete.",),
    ),
    _KpiSpec(
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
        _Series((35, 55, 72, 60), last=66, noise=4),
        target_high=80,
        warning_high=90,
        grace_days=0,
        missing=3,
        analysed=False,
        notes=(
            "Debug logging left on after an incident investigation.",
            "Retention policy applied late after the cluster resize.",
        ),
        causes=("Verbose application logs filled the cluster faster than retention removed them.",),
        actions=("Alert at 75 % utilisation and review log levels after each investigation.",),
    ),
    _KpiSpec(
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
        _Series((93, 97.5, 98.5), last=96.4, noise=1),
        notes=(
            "Four developer laptops with the agent disabled after an OS upgrade.",
            "New laptops awaiting enrolment.",
        ),
        causes=("OS upgrades on developer laptops disable the agent until it is re-approved.",),
        actions=("Pre-approve the agent's system extension in the device management profile.",),
    ),
    _KpiSpec(
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
        _Series((9, 14, 11), last=12, noise=4, step=1, high=40),
        target_high=20,
        warning_high=25,
        analysed=False,
        notes=("Burst of requests for new client VPN tunnels.", "Quiet month: most projects in maintenance."),
        causes=("The spike came from a client onboarding without a standard network template.",),
        actions=("Create a standard rule template for client onboarding.",),
    ),
    _KpiSpec(
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


def create_demo(session: Session, today: date) -> None:
    """Fill an empty workspace with the demo company and its history up to `today`."""
    if not workspace.is_empty(session):
        raise InputError("This workspace already holds data; the demo only fills an empty workspace.")
    rng = random.Random(SEED)
    workspace.save_workspace(session, ORG_NAME, SCOPE, audit_cycle_years=3, current_user=SECURITY_OFFICER)
    people = {p.name: workspace.save_person(session, p.name, p.role, p.email, list(p.areas)).id for p in PEOPLE}
    objectives = {
        o.code: workspace.save_objective(
            session, o.code, o.statement, o.target, people[o.owner], _quarter_end(_add_months(today, o.due_in_months))
        ).id
        for o in OBJECTIVES
    }
    kpis = [(spec, save_kpi(session, _kpi_input(spec, people, objectives, today))) for spec in KPIS]
    history = [(spec, kpi, _readings(rng, spec, kpi, today)) for spec, kpi in kpis]
    reports = {
        spec.code: _attach_report(rng, spec.evidence, spec.collector, rows[-1])
        for spec, _, rows in history
        if spec.evidence and rows
    }
    session.add_all(r for _, _, rows in history for r in rows)
    session.flush()
    for spec, _, rows in history:
        if spec.code in reports:
            name, text = reports[spec.code]
            stored = evidence.add_bytes(session, name, text.encode(), added_by=spec.collector)
            evidence.link(session, stored, "reading", rows[-1].id)
    session.add_all(
        a for spec, kpi, rows in history for a in _analyses(rng, spec, kpi, rows, people[spec.analyst], today)
    )
    session.flush()
    create_audit_history(session, today, people)  # 9.2 and 10.2: see demo_audits
    add_reviews(session, today, people)  # 9.3: see demo_reviews


def _kpi_input(spec: _KpiSpec, people: dict[str, int], objectives: dict[str, int], today: date) -> KpiInput:
    started = _add_months(today, -HISTORY_MONTHS) if spec.series else periods.period_start(today, spec.frequency)
    return KpiInput(
        code=spec.code,
        name=spec.name,
        target=spec.target,
        direction=spec.direction,
        warning=spec.warning,
        target_high=spec.target_high,
        warning_high=spec.warning_high,
        frequency=spec.frequency,
        information_need=spec.information_need,
        kpi_type=spec.kpi_type,
        method=spec.method,
        unit=spec.unit,
        objective_id=objectives[spec.objective],
        requirements=spec.requirements,
        collector_id=people[spec.collector],
        analyst_id=people[spec.analyst],
        data_source=spec.data_source,
        reporting_format=spec.reporting_format,
        grace_days=GRACE_DAYS[spec.frequency] if spec.grace_days is None else spec.grace_days,
        started_on=started,
    )


def _readings(rng: random.Random, spec: _KpiSpec, kpi: Kpi, today: date) -> list[Reading]:
    """One reading per closed period, entered within its grace days, oldest first.

    Periods whose entry day is still ahead are left out (due, within their grace); an overdue
    KPI also lacks its newest `missing` periods.
    """
    if spec.series is None:
        return []
    closed: list[date] = []
    p = periods.period_start(kpi.started_on, kpi.frequency)
    while p < periods.period_start(today, kpi.frequency):
        closed.append(p)
        p = periods.next_period(p, kpi.frequency)
    entries: list[tuple[date, datetime]] = []
    for p in closed[: len(closed) - spec.missing]:
        day = periods.period_end(p, kpi.frequency) + timedelta(days=rng.randint(0, min(kpi.grace_days, 7)))
        at = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), UTC)
        if day <= today:
            entries.append((p, at))
    rows = []
    for (p, at), value in zip(entries, spec.series.values(rng, len(entries)), strict=True):
        note = ""
        if spec.notes and evaluate_value(kpi, value) != Status.ON_TARGET and rng.random() < 0.6:
            note = rng.choice(spec.notes)
        rows.append(
            Reading(kpi_id=kpi.id, period_start=p, value=value, entered_by=spec.collector, entered_at=at, note=note)
        )
    return rows


def _attach_report(rng: random.Random, build: EvidenceBuilder, collector: str, reading: Reading) -> tuple[str, str]:
    """Build the report backing `reading` and mention it in the reading's note."""
    name, text = build(rng, reading.period_start, reading.value, collector)
    reading.note = " ".join(filter(None, (reading.note, f"Source report attached: {name}.")))
    return name, text


def _analyses(
    rng: random.Random, spec: _KpiSpec, kpi: Kpi, rows: list[Reading], analyst_id: int, today: date
) -> list[Analysis]:
    """Quarterly analyses (when the KPI has them) and one per recent off-target reading.

    A quarterly analysis attaches to the last period of its quarter, so an off-target reading
    there is already explained by it and gets no second record.
    """
    out: list[Analysis] = []
    if spec.analysed:
        by_quarter: dict[date, list[Reading]] = {}
        for r in rows:
            by_quarter.setdefault(periods.period_start(r.period_start, Frequency.QUARTERLY), []).append(r)
        current = periods.period_start(today, Frequency.QUARTERLY)
        previous: float | None = None
        for quarter, group in by_quarter.items():
            if quarter >= current:
                break  # the quarter is still running
            mean = sum(r.value for r in group) / len(group)
            on = max(r.entered_at.date() for r in group) + timedelta(days=rng.randint(3, 14))
            if on <= today:
                conclusion, follow_up = _quarter_conclusion(rng, spec, kpi, quarter, group, mean, previous)
                out.append(
                    Analysis(
                        kpi_id=kpi.id,
                        period_start=group[-1].period_start,
                        analyst_id=analyst_id,
                        analysed_on=on,
                        conclusion=conclusion,
                        follow_up=follow_up,
                    )
                )
            previous = mean
    recent = _add_months(today, -RECENT_MONTHS)
    analysed = {a.period_start for a in out}
    for r in rows:
        if (
            r.period_start >= recent
            and r.period_start not in analysed
            and evaluate_value(kpi, r.value) == Status.OFF_TARGET
        ):
            label = periods.period_label(r.period_start, kpi.frequency)
            on = min(r.entered_at.date() + timedelta(days=rng.randint(1, 6)), today)
            out.append(
                Analysis(
                    kpi_id=kpi.id,
                    period_start=r.period_start,
                    analyst_id=analyst_id,
                    analysed_on=on,
                    conclusion=f"{label}: {_show(r.value, spec.unit)} is off target "
                    f"({spec.target_text()}). {rng.choice(spec.causes)}",
                    follow_up=rng.choice(spec.actions),
                )
            )
    return out


def _quarter_conclusion(
    rng: random.Random,
    spec: _KpiSpec,
    kpi: Kpi,
    quarter: date,
    group: list[Reading],
    mean: float,
    previous: float | None,
) -> tuple[str, str]:
    """The analyst's summary of a quarter: level, misses, comparison; and the follow-up."""
    statuses = [evaluate_value(kpi, r.value) for r in group]
    off, warn = statuses.count(Status.OFF_TARGET), statuses.count(Status.WARNING)
    label = periods.period_label(quarter, Frequency.QUARTERLY)
    count = f"{len(group)} readings, mean" if len(group) > 1 else "1 reading:"
    parts = [f"{label}: {count} {_show(mean, spec.unit)} against {spec.target_text()}."]
    misses = [f"{n} {what}" for n, what in ((off, "off target"), (warn, "in warning")) if n]
    parts.append(" and ".join(misses).capitalize() + "." if misses else "All readings on target.")
    if previous is not None:
        delta = goodness(kpi, mean) - goodness(kpi, previous)
        if abs(delta) <= 0.02 * max(abs(kpi.target), 1):
            parts.append("In line with the previous quarter.")
        else:
            better = "Better" if delta > 0 else "Worse"
            parts.append(f"{better} than the previous quarter ({_show(previous, spec.unit)}).")
    if off:
        parts.append(rng.choice(spec.causes))
        follow_up = rng.choice(spec.actions)
    elif warn:
        follow_up = "Watch next quarter's readings; no action yet."
    else:
        follow_up = ""
    return " ".join(parts), follow_up


def _num(value: float) -> str:
    return f"{round(value, 1):g}"


def _show(value: float, unit: str) -> str:
    return f"{_num(value)} {unit}".rstrip()


def _add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of shorter months."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _quarter_end(day: date) -> date:
    return periods.period_end(periods.period_start(day, Frequency.QUARTERLY), Frequency.QUARTERLY)
