"""Recording a rules.Decision on a Pass Famille application: the snapshot the back-office and the export read."""

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
    }


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
