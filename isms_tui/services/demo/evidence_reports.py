"""Source reports attached to the demo's latest readings, written as the systems would print them."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from isms_tui.models import (
    Frequency,
)
from isms_tui.services import periods

EvidenceBuilder = Callable[[random.Random, date, float, str], tuple[str, str]]
"""(rng, period start, value, collector) -> (file name, text) of a report backing a reading."""

_HOSTS = ("app", "db", "etl", "web", "vpn", "build", "mon", "file")


def patch_report(rng: random.Random, period: date, value: float, _by: str) -> tuple[str, str]:
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


def restore_test(rng: random.Random, period: date, value: float, by: str) -> tuple[str, str]:
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


def phishing_results(rng: random.Random, period: date, value: float, _by: str) -> tuple[str, str]:
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


def access_review(rng: random.Random, period: date, value: float, by: str) -> tuple[str, str]:
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


def supplier_register(rng: random.Random, period: date, value: float, _by: str) -> tuple[str, str]:
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
    # Reviews lapse in a fixed order (B, E, J first), so quarters tell of the same suppliers.
    overdue_first = (1, 4, 9, *(i for i in range(len(suppliers)) if i not in (1, 4, 9)))
    stale = set(overdue_first[: len(suppliers) - round(value * len(suppliers) / 100)])
    lines = ["supplier,service,tier,last_review,review_current"]
    for i, service in enumerate(suppliers):
        age = rng.randint(400, 600) if i in stale else rng.randint(10, 360)
        lines.append(
            f"Supplier {chr(65 + i)},{service},critical,{end - timedelta(days=age)},{'no' if i in stale else 'yes'}"
        )
    label = periods.period_label(period, Frequency.QUARTERLY)
    return f"supplier-reviews-{label}.csv", "\n".join(lines) + "\n"
