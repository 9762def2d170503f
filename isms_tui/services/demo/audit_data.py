"""The six audits of the demo's programme: scope, team, working papers, findings and actions."""

from __future__ import annotations

from isms_tui.models import (
    ActionStatus,
    AuditResult,
    AuditStatus,
    Grading,
)
from isms_tui.services import checklists

from .audit_specs import (
    CLAUSES,
    DOC,
    INT,
    INTERNAL_AUDITOR,
    OBS,
    PROGRAMME_OWNER,
    REP,
    ActionSpec,
    AuditSpec,
    C,
    FindingSpec,
    Paper,
    span,
)

REPORTED = AuditSpec(
    title="Management system audit (clauses 4–10)",
    template=checklists.BUILTIN_CLAUSES,
    scope=(),
    scope_areas=("ISMS management", "Risk management", "Top management", "Management review"),
    lead=INTERNAL_AUDITOR,
    team=("Ravi Menon",),
    auditees="Tom Okafor (Managing Director), Priya Raman (CISO), Sophie Laurent (HR Manager)",
    status=AuditStatus.REPORTED,
    papers={
        "6.1.2": Paper(
            C,
            "Risk assessment methodology v3 approved by Tom Okafor. Every risk in the register has an "
            "owner, likelihood and impact scored on the 5x5 scale and a treatment decision; the register "
            "was last reviewed in the quarterly risk meeting two months ago.",
            (INT, DOC),
            "Risk register entries (5)",
            5,
            "All: R-01, R-02, R-03, R-04, R-05",
        ),
        "7.5.3": Paper(
            AuditResult.MINOR_NC,
            "Document register lists 42 controlled documents. 3 of the 10 sampled were past their "
            "annual review date by 4 to 9 months and still published as current on the intranet: "
            "Access Control Policy v2.1, Supplier Security Policy v1.3, Cryptography Standard v1.0. "
            "No record of a review or of an approved extension.",
            (DOC, INT),
            "Controlled documents in the document register (42)",
            10,
            "POL-01, POL-03, POL-04, POL-07, POL-09, STD-02, STD-05, PRC-11, PRC-14, PRC-20",
        ),
        "7.4": Paper(
            AuditResult.OFI,
            "The communication plan covers staff and management but not who speaks to clients and "
            "authorities during an incident; the incident procedure does, in different words. One "
            "communication matrix would avoid contradictions.",
            (DOC, INT),
        ),
        "9.1": Paper(
            AuditResult.OBSERVATION,
            "Monitoring plan defines 12 KPIs with method, frequency, collector and analyst; readings are "
            "up to date. LOG-01 and FW-01 have readings but no analysis records: results are collected "
            "but not evaluated for these two. Not yet a nonconformity; follow up at the next audit.",
            (DOC, INT),
            "KPIs in the monitoring plan (12)",
            12,
            "All",
        ),
        "9.2.2": Paper(
            C,
            "Programme approved by the Managing Director covers the three-year cycle, with "
            "frequency driven by area importance. The auditor does not audit privacy or "
            "compliance, her own areas.",
            (DOC, INT),
        ),
        "9.2.1": Paper(
            C,
            "First audit of this programme, so no earlier internal audit of the ISMS to sample. The "
            "programme and this audit's plan name the criteria, the scope and the auditors; reports "
            "go to the management review.",
            (DOC, INT),
        ),
        "9.3.1": Paper(
            C,
            "Interviewed Tom Okafor. The review procedure sets a yearly interval; the first management "
            "review of this cycle is scheduled for the end of its first year, once a full year of KPI "
            "data exists. No review held in the cycle yet, so none to sample.",
            (INT, DOC),
        ),
        "9.3.2": Paper(
            AuditResult.NOT_AUDITED,
            "Not audited: no management review has been held in this cycle yet, so there are no inputs "
            "to examine. Carried over to the second round.",
            (),
        ),
        "9.3.3": Paper(
            AuditResult.NOT_AUDITED,
            "Not audited: no management review decisions to examine until the first review is held. "
            "Carried over to the second round.",
            (),
        ),
    },
    findings=(
        FindingSpec(
            "7.5.3",
            Grading.MINOR_NC,
            "Documented information is not kept under control: 3 of 10 sampled policies and standards "
            "were past their review date and still published as current.",
            "Document register extract; intranet pages of POL-04, POL-07 and STD-02 as seen on the day.",
            ActionSpec(
                "Bring overdue policies back under review control",
                "Priya Raman",
                60,
                ActionStatus.CLOSED,
                correction="The three documents were reviewed and re-approved by Tom Okafor; superseded "
                "versions were withdrawn from the intranet.",
                root_cause="Review dates were tracked in a spreadsheet that nobody was reminded of, and "
                "the owner of two of the documents had left without a handover.",
                corrective_action="Review dates moved into the document register with reminders 30 days "
                "ahead; owners reassigned; a quarterly register check added to the "
                "ISMS calendar.",
                checked_by=INTERNAL_AUDITOR,
                implemented_days=55,
                settling_days=60,
                check_days=130,
                check_notes="Register checked: all 42 documents within their review date; reminders seen "
                "in two owners' mailboxes; the quarterly check was done and minuted.",
            ),
        ),
        FindingSpec(
            "9.1",
            Grading.OBSERVATION,
            "Two KPIs (LOG-01, FW-01) are measured but their results are not analysed or evaluated.",
            "Monitoring plan; analysis records per KPI.",
        ),
        FindingSpec(
            "7.4",
            Grading.OFI,
            "Merge the external communication rules of the incident procedure into the communication "
            "plan so there is one source.",
            "Communication plan v1.2; incident procedure v2.0.",
        ),
    ),
    summary="Clauses 4 to 10 audited through interviews with top management, the CISO and HR and a review "
    "of the ISMS records.",
    conclusion="As far as audited, the ISMS conforms to clauses 4 to 10 of ISO/IEC 27001:2022 and is effectively "
    "implemented and maintained, with one minor nonconformity in the control of documented information. "
    "The review inputs and outputs (9.3.2, 9.3.3) could not be audited before the first management review "
    "and are carried over to the second round.",
)

TECH_SCOPE = (
    "A.5.15",
    "A.5.16",
    "A.5.17",
    "A.5.18",
    "A.5.23",
    *span("A.5", 24, 30),
    "A.8.1",
    "A.8.2",
    "A.8.3",
    "A.8.5",
    "A.8.6",
    "A.8.7",
    "A.8.8",
    "A.8.9",
    "A.8.12",
    "A.8.13",
    "A.8.14",
    "A.8.15",
    "A.8.16",
    "A.8.17",
    "A.8.19",
    *span("A.8", 20, 24),
)

COMPLETED = AuditSpec(
    title="Technological and operational controls audit",
    template=checklists.BUILTIN_ANNEX_A,
    scope=TECH_SCOPE,
    scope_areas=(
        "IT operations",
        "Backups",
        "Network security",
        "Patch management",
        "Endpoint security",
        "Cloud infrastructure",
        "Logging and monitoring",
        "Vulnerability management",
        "Incident management",
        "Access management",
    ),
    lead=INTERNAL_AUDITOR,
    team=("Daniel Kowalski",),
    auditees="Elena Varga (Head of IT Operations), Marcus Lindqvist (Systems Administrator), "
    "Daniel Kowalski (DevOps Engineer), Ravi Menon (Service Desk Lead)",
    status=AuditStatus.COMPLETED,
    declaration="Daniel Kowalski joined the team as technical expert only, to extract configuration samples "
    "from AWS and the log cluster. He did not assess the controls he runs (A.5.23, A.8.8, "
    "A.8.14 to A.8.17): Olivia Chen audited those alone and reviewed every sample he extracted.",
    declared_by="Tom Okafor",
    papers={
        "A.5.18": Paper(
            AuditResult.MINOR_NC,
            "Approvals for new rights are in the tickets. Leavers: 2 of the 6 sampled kept an "
            "active CRM account 19 and 33 days after their last day (procedure: same day). The "
            "CRM is not on the leaver checklist and is not connected to the identity provider.",
            (DOC, REP),
            "Leavers in the last 6 months (11)",
            6,
            "HR-L-031, HR-L-033, HR-L-034, HR-L-036, HR-L-038, HR-L-040",
        ),
        "A.8.5": Paper(
            C,
            "Identity provider report: MFA enforced on every enabled account that can sign in; new "
            "starters' accounts stay blocked until they enrol, which is why MFA-01 stood at {MFA-01} the "
            "week before. Legacy protocols blocked. Re-performed: a test sign-in without the second "
            "factor was refused.",
            (DOC, REP),
            "Enabled user accounts (46)",
            46,
            "All (identity provider report)",
        ),
        "A.8.8": Paper(
            AuditResult.MINOR_NC,
            "Scanner export on the audit date: 9 high or critical findings open for more than 30 "
            "days, 4 of them from last autumn's penetration test, with no owner or due date in the "
            "backlog. The vulnerability procedure requires both for every high finding. VULN-01 at "
            "{VULN-01} in its latest reading (target 30 days) averages closed findings only, so it "
            "does not show these open ones.",
            (DOC, INT),
            "High and critical findings open on the audit date (23)",
            23,
            "All",
        ),
        "A.8.13": Paper(
            AuditResult.MAJOR_NC,
            "Restore tests of the last 6 months: the PostgreSQL cluster test failed because the "
            "backup encryption key was held only by an administrator on leave. The test was not "
            "repeated and nothing was escalated, so from that test until the audit nobody could "
            "show that the production database could be restored. Re-performed: the client file "
            "exchange restored in 95 minutes, within the RTO.",
            (DOC, REP, INT),
            "Monthly restore tests, last 6 months (24)",
            8,
            "PostgreSQL (failed, not repeated), GitLab, client file exchange x2, customer portal x2, "
            "PostgreSQL (previous quarter) x2",
        ),
        "A.8.15": Paper(
            AuditResult.OBSERVATION,
            "LOG-01 at {LOG-01} of the log cluster's capacity the week before the audit; 12 months "
            "of retention is met today, but no alert warns before the cluster fills and nobody "
            "reviews the trend. Events would be lost once it is full.",
            (OBS, DOC),
        ),
        "A.5.24": Paper(
            AuditResult.OFI,
            "The incident procedure is sound and tested. Playbooks exist for phishing and lost "
            "devices only; playbooks for leaked cloud credentials and ransomware would speed up "
            "the response to the most likely serious incidents.",
            (DOC, INT),
        ),
        "A.8.17": Paper(
            AuditResult.NOT_AUDITED,
            "Not audited: time ran out on the last day. Carried over to the next audit of technological controls.",
            (),
        ),
    },
    findings=(
        FindingSpec(
            "A.8.13",
            Grading.MAJOR_NC,
            "The recovery of the production database from backup could not be assured from a failed "
            "restore test until the audit: the test was neither repeated nor escalated, and the "
            "encryption key of the backup was held by one person.",
            "Restore test log (6 months); backup job configuration; interview with Elena Varga.",
            ActionSpec(
                "Make every backup restorable without a single key holder",
                "Elena Varga",
                90,
                ActionStatus.IMPLEMENTED,
                correction="Key placed in the password vault; the PostgreSQL restore repeated "
                "successfully within the RTO.",
                root_cause="Backup encryption keys were created by whoever configured a job and never "
                "registered; the restore test procedure stopped at the first failure "
                "without escalation.",
                corrective_action="All backup keys escrowed in the vault with two custodians; the test "
                "procedure requires a repeat within 5 working days and escalation of "
                "any failure to the CISO; the monthly test report is reviewed in the "
                "operations meeting.",
                implemented_days=40,
                settling_days=60,
            ),
        ),
        FindingSpec(
            "A.5.18",
            Grading.MINOR_NC,
            "Access rights of leavers are not removed on time in every system: 2 of 6 sampled leavers "
            "kept an active CRM account for 19 and 33 days.",
            "Leaver tickets HR-L-033 and HR-L-038; CRM user list as seen on the day.",
            ActionSpec(
                "Remove leavers' access from every system, CRM included",
                "Ravi Menon",
                45,
                ActionStatus.IN_PROGRESS,
                correction="The two CRM accounts were disabled on the day of the audit.",
                root_cause="The CRM was bought by Sales two years ago and never added to the leaver "
                "checklist; its accounts are managed by Sales operations, not the service "
                "desk.",
                corrective_action="Add the CRM and the other SaaS tools to the leaver checklist; "
                "connect CRM sign-in to the identity provider so that disabling the "
                "directory account is enough.",
            ),
        ),
        FindingSpec(
            "A.8.8",
            Grading.MINOR_NC,
            "Technical vulnerabilities are not handled as the procedure requires: 9 high or critical "
            "findings older than 30 days had no owner or due date.",
            "Scanner export of open findings; backlog items of the penetration test.",
            ActionSpec(
                "Give every high or critical vulnerability an owner and a due date",
                "Daniel Kowalski",
                120,
                ActionStatus.OPEN,
            ),
        ),
        FindingSpec(
            "A.8.15",
            Grading.OBSERVATION,
            "Security log storage is not watched: no alert warns before the log cluster fills, so events "
            "could be lost unnoticed.",
            "Log cluster utilisation graph; LOG-01 readings.",
        ),
        FindingSpec(
            "A.5.24",
            Grading.OFI,
            "Add incident playbooks for leaked cloud credentials and ransomware.",
            "Incident procedure v2.0 and its two playbooks.",
        ),
    ),
    summary="Access, incident, continuity and technological controls audited on site and in the AWS and "
    "identity provider consoles, with samples re-performed. Report to be presented at the next "
    "management review.",
    conclusion="Technological and operational controls are largely effective. The failed and unrepeated "
    "restore test is a major nonconformity: the recovery of client services could not be assured. "
    "Access removal for leavers and the remediation of high vulnerabilities need corrective action.",
)

IN_PROGRESS = AuditSpec(
    title="Suppliers, people and physical security audit",
    template=checklists.BUILTIN_ANNEX_A,
    scope=(*span("A.5", 19, 22), *span("A.6", 1, 8), *span("A.7", 1, 14)),
    scope_areas=("Suppliers", "HR", "Security awareness training", "Physical security", "Facilities"),
    lead=INTERNAL_AUDITOR,
    team=("Aisha Bello",),
    auditees="James Whitfield (Finance and Procurement), Sophie Laurent (HR), Hannah Schmidt (Office Manager), "
    "Ravi Menon (Service Desk Lead)",
    status=AuditStatus.IN_PROGRESS,
    recorded=12,
    papers={
        "A.5.20": Paper(
            C,
            "Sampled contracts include the security schedule (confidentiality, breach "
            "notification within 24 h, right to audit, return of data).",
            (DOC,),
            "Contracts with critical suppliers (12)",
            4,
            "Supplier A, Supplier C, Supplier G, Supplier K",
        ),
        "A.5.22": Paper(
            AuditResult.OBSERVATION,
            "{SUPP-01/12} critical suppliers have a security review older than 12 months, as "
            "SUPP-01 at {SUPP-01} shows; the reviews wait for assurance reports the suppliers have "
            "not sent. To be discussed at the closing meeting.",
            (DOC, INT),
            "Critical suppliers in the register (12)",
            12,
            "All",
        ),
        "A.6.1": Paper(
            C,
            "Screening procedure proportionate to the role; identity, right to work and "
            "references checked for all sampled hires, plus a basic criminal record check for the "
            "two with production access.",
            (DOC, INT),
            "Hires and contractors in the last 12 months (9)",
            5,
            "E-2041, E-2044, E-2047, C-118, C-121",
        ),
        "A.6.3": Paper(
            C,
            "Learning platform: TRAIN-01 at {TRAIN-01} completion last quarter; onboarding module now "
            "in the first week. Two sampled staff explained how to report a phishing email.",
            (DOC, INT),
            "Staff and contractors (40)",
            6,
            "Two developers, two analysts, one sales, one admin",
        ),
    },
    findings=(
        FindingSpec(
            "A.5.22",
            Grading.OBSERVATION,
            "Security reviews of critical suppliers are overdue while they wait for assurance reports "
            "the suppliers have not sent.",
            "Supplier register extract; review files of the suppliers whose review is overdue.",
        ),
    ),
)

PLANNED: tuple[tuple[AuditSpec, int], ...] = (  # and the start, in months from today
    (
        AuditSpec(
            "Privacy and legal compliance audit",
            checklists.BUILTIN_ANNEX_A,
            ("A.5.5", "A.5.6", *span("A.5", 31, 34), "A.5.36", "A.8.10", "A.8.11"),
            ("Privacy", "Compliance"),
            PROGRAMME_OWNER,
            (),
            "Olivia Chen (Compliance and Data Protection Lead)",
            AuditStatus.PLANNED,
        ),
        1,
    ),
    (
        AuditSpec(
            "Development and change management audit",
            checklists.BUILTIN_ANNEX_A,
            ("A.5.8", "A.8.4", *span("A.8", 25, 34)),
            ("Development", "Secure development"),
            INTERNAL_AUDITOR,
            (),
            "Aisha Bello (Head of Development), Elena Varga (IT Operations)",
            AuditStatus.PLANNED,
        ),
        5,
    ),
    (
        AuditSpec(
            "Management system audit (clauses 4–10), second round",
            checklists.BUILTIN_FULL,
            (*CLAUSES, "A.5.1", "A.5.2", "A.5.3", "A.5.4", "A.5.35", "A.5.37"),
            ("ISMS management", "Risk management", "Top management", "Management review"),
            INTERNAL_AUDITOR,
            ("Ravi Menon",),
            "Tom Okafor, Priya Raman, Sophie Laurent",
            AuditStatus.PLANNED,
        ),
        10,
    ),
)
