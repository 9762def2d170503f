"""The demo company: its name and scope, its people and their areas, its objectives."""

from __future__ import annotations

from dataclasses import dataclass

ORG_NAME = "Northwind Analytics Ltd"
SCOPE = (
    "The design, development, hosting and support of the Northwind data analytics platform and "
    "the related consulting services, delivered by the 40 staff of Northwind Analytics Ltd from "
    "its Leeds office and from home, including the cloud infrastructure, corporate IT, and the "
    "people and suppliers involved."
)
EMAIL_DOMAIN = "northwind-analytics.example"


@dataclass(frozen=True)
class PersonSpec:
    name: str
    role: str
    areas: tuple[str, ...]

    @property
    def email(self) -> str:
        return self.name.lower().replace(" ", ".") + "@" + EMAIL_DOMAIN


PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec(
        "Priya Raman",
        "Information Security Officer (CISO)",
        ("ISMS management", "Risk management", "Security awareness"),
    ),
    PersonSpec("Tom Okafor", "Managing Director", ("Top management", "Management review")),
    PersonSpec("Elena Varga", "Head of IT Operations", ("IT operations", "Backups", "Network security")),
    PersonSpec("Marcus Lindqvist", "Systems Administrator", ("IT operations", "Patch management", "Endpoint security")),
    PersonSpec("Aisha Bello", "Head of Development", ("Development", "Secure development")),
    PersonSpec(
        "Daniel Kowalski",
        "DevOps Engineer",
        ("Cloud infrastructure", "Logging and monitoring", "Vulnerability management"),
    ),
    PersonSpec("Sophie Laurent", "HR Manager", ("HR", "Security awareness training")),
    PersonSpec("James Whitfield", "Finance and Procurement Manager", ("Suppliers", "Finance")),
    PersonSpec("Hannah Schmidt", "Office Manager", ("Physical security", "Facilities")),
    PersonSpec("Ravi Menon", "Service Desk Lead", ("Incident management", "Access management", "Service desk")),
    PersonSpec("Olivia Chen", "Compliance and Data Protection Lead", ("Privacy", "Compliance")),
)
SECURITY_OFFICER = PEOPLE[0].name


@dataclass(frozen=True)
class ObjectiveSpec:
    code: str
    statement: str
    target: str
    owner: str
    due_in_months: int  # due at the end of the quarter this many months after today


OBJECTIVES: tuple[ObjectiveSpec, ...] = (
    ObjectiveSpec(
        "OBJ-1",
        "Limit the impact of information security incidents on clients.",
        "At most 2 confirmed incidents a month and no client data exposed over the year.",
        "Priya Raman",
        12,
    ),
    ObjectiveSpec(
        "OBJ-2",
        "Keep systems patched and protected against known vulnerabilities.",
        "95 % of critical patches within 14 days; high and critical vulnerabilities "
        "fixed within 30 days on average; EDR active on 98 % of endpoints.",
        "Elena Varga",
        6,
    ),
    ObjectiveSpec(
        "OBJ-3",
        "Build a security-aware workforce.",
        "95 % of staff complete awareness training each quarter; phishing simulation click rate at or below 5 %.",
        "Sophie Laurent",
        9,
    ),
    ObjectiveSpec(
        "OBJ-4",
        "Restrict access to client data and systems to authorised people.",
        "All quarterly access reviews completed on time; MFA on at least 99 % of accounts.",
        "Priya Raman",
        4,
    ),
    ObjectiveSpec(
        "OBJ-5",
        "Manage the information security of critical suppliers.",
        "Every critical supplier has a security review less than 12 months old.",
        "James Whitfield",
        7,
    ),
    ObjectiveSpec(
        "OBJ-6",
        "Recover client services reliably after a failure.",
        "Every monthly restore test succeeds within the 4-hour RTO.",
        "Elena Varga",
        12,
    ),
)
