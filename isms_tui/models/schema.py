"""Schema revisions this version knows, readable without importing Alembic.

Kept in step with migrations/versions by a test; opening a workspace compares the file's
revision with these to decide between "up to date", "migrate" and "newer than this version".
"""

REVISIONS: tuple[str, ...] = (
    "0001_initial",
    "0002_audit",
    "0003_review",
    "0004_packs",
    "0005_indexes",
    "0006_reading_period_index",
    "0007_checkpoints",
    "0008_risks",
    "0009_honest_readings",
    "0010_isms_evaluation",
    "0011_soa",
    "0012_review_conclusions",
    "0013_competence",
    "0014_nonconformities",
    "0015_target_history",
    "0016_audit_exchange",
)
HEAD = REVISIONS[-1]
