"""Recording a rules.Decision on a Pass Famille application: the snapshot the back-office and the export read."""

from datetime import datetime
from decimal import Decimal

from . import rules
from .formatting import as_date
from .models import PassFamilleRequest


def _child(child: rules.Child) -> dict:
    return {
        "first_names": child.first_names,
        "birth_date": child.birth_date.isoformat() if child.birth_date else None,
        "source": child.source,
    }


def snapshot(decision: rules.Decision) -> dict:
    bracket = decision.bracket
    return {
        "eligible": decision.eligible,
        "bracket": {
            "code": bracket.code,
            "label": bracket.label,
            "qf_min": bracket.qf_min,
            "qf_max": bracket.qf_max,
            "price": str(bracket.price),
            "discount_percent": bracket.discount_percent,
        }
        if bracket
        else None,
        "tariff": str(decision.tariff) if decision.tariff is not None else None,
        "discount_percent": decision.discount_percent,
        "reasons": list(decision.reasons),
        "covered_children": [_child(c) for c in decision.covered_children],
        "rules_version": decision.rules_version,
        "decided_on": decision.decided_on.isoformat(),
        "basis": decision.basis,
        "basis_reason": decision.basis_reason,
        "quotient": decision.quotient,
        "fiscal_inputs": fiscal_json(decision.fiscal_inputs),
    }


def parts_text(parts: Decimal) -> str:
    """2.5, 1, 2.25: the number of parts as stored and exported (never 2E+1)."""
    return format(Decimal(parts).normalize(), "f")


def fiscal_json(fiscal: rules.FiscalInputs | None) -> dict | None:
    if fiscal is None:
        return None
    return {"rfr": fiscal.rfr, "parts": parts_text(fiscal.parts), "source": fiscal.source, "year": fiscal.year}


def record_fiscal(
    request: PassFamilleRequest,
    fiscal: rules.FiscalInputs | None,
    fetched_at: datetime | None = None,
    correlation_id: str | None = None,
) -> None:
    """The avis's figures on the application, with their source (None clears them) and, from the DGFiP, when they
    were fetched and the call's correlation id (cleared for any other source)."""
    request.fiscal_rfr = fiscal.rfr if fiscal else None
    request.fiscal_parts = parts_text(fiscal.parts) if fiscal else None
    request.fiscal_year = fiscal.year if fiscal else None
    request.fiscal_source = fiscal.source if fiscal else None
    from_api = fiscal is not None and fiscal.source == "api"
    request.fiscal_fetched_at = fetched_at if from_api else None
    request.fiscal_correlation_id = correlation_id if from_api else None


def fiscal_of(request: PassFamilleRequest) -> rules.FiscalInputs | None:
    """The avis's figures recorded on the application, back into rules.FiscalInputs."""
    if request.fiscal_rfr is None or not request.fiscal_parts:
        return None
    return rules.FiscalInputs(
        request.fiscal_rfr, Decimal(request.fiscal_parts), request.fiscal_source or "document", request.fiscal_year
    )


def record(request: PassFamilleRequest, decision: rules.Decision) -> None:
    request.eligible = decision.eligible
    request.bracket_code = decision.bracket.code if decision.bracket else None
    request.tariff = str(decision.tariff) if decision.tariff is not None else None
    request.decision = snapshot(decision)
    request.rules_version = decision.rules_version


def children_json(children) -> list[dict]:
    return [_child(c) for c in children]


def children_from_json(rows, source: str | None = None) -> tuple[rules.Child, ...]:
    """Children as stored (draft or application) back into rules.Child; `source` overrides the stored one."""
    return tuple(
        rules.Child(row["first_names"], as_date(row.get("birth_date")), source or row.get("source") or "declared")
        for row in rows or ()
    )
