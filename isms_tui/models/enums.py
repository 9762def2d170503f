"""Closed vocabularies of the domain, shared by models, services and screens."""

from enum import StrEnum


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"


class Direction(StrEnum):
    HIGHER_BETTER = "higher"
    LOWER_BETTER = "lower"
    WITHIN_RANGE = "range"


class KpiType(StrEnum):
    IMPLEMENTATION = "implementation"
    EFFECTIVENESS = "effectiveness"
    IMPACT = "impact"


class Status(StrEnum):
    """Evaluation of a KPI; the order is the order of urgency on screens."""

    OFF_TARGET = "off target"
    OVERDUE = "overdue"
    WARNING = "warning"
    NO_DATA = "no data"
    ON_TARGET = "on target"


class AuditStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in progress"
    COMPLETED = "completed"
    REPORTED = "reported"


class AuditResult(StrEnum):
    """Working-paper results; the order is the order of the one-key shortcuts (1–7)."""

    CONFORMING = "conforming"
    MAJOR_NC = "major NC"
    MINOR_NC = "minor NC"
    OBSERVATION = "observation"
    OFI = "opportunity for improvement"
    NOT_APPLICABLE = "not applicable"
    NOT_AUDITED = "not audited"


class AuditMethod(StrEnum):
    INTERVIEW = "interview"
    OBSERVATION = "observation"
    DOCUMENT_REVIEW = "document review"
    REPERFORMANCE = "re-performance"


class Grading(StrEnum):
    MAJOR_NC = "major NC"
    MINOR_NC = "minor NC"
    OBSERVATION = "observation"
    OFI = "opportunity for improvement"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    IMPLEMENTED = "implemented"  # done, waiting for the effectiveness check
    CLOSED = "closed"  # effective; only reachable through the effectiveness check


class Effectiveness(StrEnum):
    EFFECTIVE = "effective"
    NOT_EFFECTIVE = "not effective"


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    HELD = "held"
    APPROVED = "approved"  # frozen: the record and its assembled inputs can no longer change


class DecisionKind(StrEnum):
    """The outputs of a management review (9.3.3)."""

    IMPROVEMENT = "continual improvement"
    CHANGE = "change to the ISMS"
    RESOURCES = "resource needs"


class ConclusionAspect(StrEnum):
    """What top management concludes on at every review (9.3.1): is the ISMS still fit?"""

    SUITABILITY = "suitability"  # still right for the organisation and its context
    ADEQUACY = "adequacy"  # enough: sufficient in scope, resources and controls
    EFFECTIVENESS = "effectiveness"  # achieving its intended outcomes


class Verdict(StrEnum):
    """Top management's answer on one aspect; a rationale always goes with it."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class Attendance(StrEnum):
    """Whether an invited person took part in the review meeting."""

    PRESENT = "present"
    APOLOGIES = "apologies"
