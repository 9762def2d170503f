"""Forms of the risk register: a risk, and the organisation's risk appetite."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Input, Select

from isms_tui.models.ids import require_id
from isms_tui.models.risk import RISK_STATUSES, TREATMENTS
from isms_tui.widgets.form import FormField, FormModal, person_select

from .base import workspace_session

if TYPE_CHECKING:
    from isms_tui.services.risks import RiskInput


def _scale(value: int | None) -> str:
    return "" if value is None else str(value)


class RiskForm(FormModal[int]):
    """A new or edited risk; dismisses with its id."""

    HELP = (
        "A risk (6.1.2): likelihood, impact, owner, treatment and its due date, the residual level, the KPIs "
        "that watch it and the Annex A controls that address it."
    )

    def __init__(self, risk_id: int | None) -> None:
        super().__init__()
        from isms_tui.services import risks, workspace
        from isms_tui.services.risks import RiskInput

        self.risk_id = risk_id
        with workspace_session(self) as session:
            people = workspace.list_people(session, include_inactive=True)
            if risk_id is None:
                self.data = RiskInput(ref="", title="", likelihood=None, impact=None)
                self.form_title = "New risk"
            else:
                r = risks.get_risk(session, risk_id)
                self.data = RiskInput(
                    ref=r.ref,
                    title=r.title,
                    likelihood=r.likelihood,
                    impact=r.impact,
                    owner_id=r.owner_id,
                    description=r.description,
                    treatment=r.treatment,
                    status=r.status,
                    due_date=r.due_date,
                    residual_likelihood=r.residual_likelihood,
                    residual_impact=r.residual_impact,
                    next_review=r.next_review,
                    controls=list(r.controls),
                    kpis=list(r.kpis),
                )
                self.form_title = f"Edit risk {r.ref}"
        self.people = [(p.name, p.id) for p in people if p.active or p.id == self.data.owner_id]

    def fields(self) -> Iterable[Widget]:
        d = self.data
        yield FormField("Reference", Input(d.ref, placeholder="e.g. R-001"), key="ref")
        yield FormField("Title", Input(d.title), key="title")
        yield FormField("Owner", person_select(self.people, d.owner_id, prompt="nobody yet"), key="owner_id")
        yield FormField(
            "Likelihood (1-5)", Input(_scale(d.likelihood), placeholder="1 rare ... 5 almost certain"), key="likelihood"
        )
        yield FormField("Impact (1-5)", Input(_scale(d.impact), placeholder="1 negligible ... 5 severe"), key="impact")
        yield FormField(
            "Treatment",
            Select([(t, t) for t in TREATMENTS], value=d.treatment, allow_blank=False),
            key="treatment",
        )
        yield FormField(
            "Status", Select([(s, s) for s in RISK_STATUSES], value=d.status, allow_blank=False), key="status"
        )
        yield FormField(
            "Treatment due",
            Input(d.due_date.isoformat() if d.due_date else "", placeholder="YYYY-MM-DD"),
            key="due_date",
        )
        yield FormField("Residual likelihood", Input(_scale(d.residual_likelihood)), key="residual_likelihood")
        yield FormField(
            "Residual impact",
            Input(_scale(d.residual_impact)),
            key="residual_impact",
            hint="Once the treatment is done; give both or neither.",
        )
        yield FormField(
            "Next review",
            Input(d.next_review.isoformat() if d.next_review else "", placeholder="YYYY-MM-DD"),
            key="next_review",
        )
        yield FormField(
            "Annex A controls",
            Input(", ".join(d.controls), placeholder="e.g. A.8.13, A.8.7"),
            key="controls",
            hint="The controls the treatment relies on: their audits are prioritised by this risk's level.",
        )
        yield FormField("KPIs that watch it", Input(", ".join(d.kpis), placeholder="KPI codes"), key="kpis")
        yield FormField("Description", Input(d.description), key="description")

    def submit(self) -> int:
        from isms_tui.services import risks
        from isms_tui.services.errors import InputError

        errors: dict[str, str] = {}
        data = self._read(errors)
        with workspace_session(self) as session:
            problems = {**risks.validate(session, data, self.risk_id), **errors}
            if problems:
                raise InputError(next(iter(problems.values())), problems)
            return require_id(risks.save_risk(session, data, self.risk_id))

    def _read(self, errors: dict[str, str]) -> RiskInput:
        from isms_tui.services.form_values import parse_date as parse
        from isms_tui.services.risks import RiskInput

        def scale(key: str) -> int | None:
            text = str(self.value(key)).strip()
            if not text:
                return None
            if not text.isdigit():
                errors[key] = "A whole number from 1 to 5."
                return None
            return int(text)

        def split(key: str) -> list[str]:
            return [p.strip() for p in str(self.value(key)).replace(";", ",").split(",") if p.strip()]

        return RiskInput(
            ref=str(self.value("ref")),
            title=str(self.value("title")),
            likelihood=scale("likelihood"),
            impact=scale("impact"),
            owner_id=self.value("owner_id"),
            description=str(self.value("description")),
            treatment=str(self.value("treatment")),
            status=str(self.value("status")),
            due_date=parse(self.value("due_date"), "due_date", errors),
            residual_likelihood=scale("residual_likelihood"),
            residual_impact=scale("residual_impact"),
            next_review=parse(self.value("next_review"), "next_review", errors),
            controls=split("controls"),
            kpis=split("kpis"),
        )


class AppetiteForm(FormModal[int]):
    """The organisation's risk appetite: the highest level accepted without treatment."""

    HELP = "The risk appetite: the highest level accepted without treatment."

    form_title = "Risk appetite"

    def __init__(self, current: int) -> None:
        super().__init__()
        self.current = current

    def fields(self) -> Iterable[Widget]:
        yield FormField(
            "Highest acceptable level (1-25)",
            Input(str(self.current)),
            key="risk_appetite",
            hint="Risks above it need treatment (or a recorded acceptance) and show in review input f.",
        )

    def submit(self) -> int:
        from isms_tui.services import risks
        from isms_tui.services.errors import InputError

        text = str(self.value("risk_appetite")).strip()
        if not text.isdigit():
            raise InputError("The risk appetite is a level from 1 to 25.", {"risk_appetite": "1 to 25."})
        with workspace_session(self) as session:
            risks.set_appetite(session, int(text))
        return int(text)
