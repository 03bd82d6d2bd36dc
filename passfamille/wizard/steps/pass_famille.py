"""The Pass Famille's own steps: the quotient familial proof when the CAF/MSA does not give it, and the result
computed from the commune's rules. Also the recap's « Quotient familial » section, whichever step gave it."""

from ... import documents
from ...documents import DOCUMENT_KINDS
from ...formatting import euros, month_year
from .. import household
from ..draft import answers, certified_ok, details_hidden, uses_api, wants_documents, wants_pass_famille
from ..forms import DocumentForm
from ..step import Section, Step, receive_file
from ..viewmodels import decision_view, provider_label
from .common import INFORMATION, VERIFICATION

MISSING_PROOF = "Joignez votre justificatif au format PDF, JPEG ou PNG"


def receive_proof(draft, form) -> bool:
    if form is None:
        return documents.for_draft(draft) is not None
    return receive_file(draft, form.file, MISSING_PROOF, kind=form.kind.data or "")


def qf_recap(draft) -> list[Section]:
    """How the quotient familial is known: from the CAF/MSA, a proof, later, or not at all (full price)."""
    if not wants_pass_famille(draft):
        return []
    facts = household.known(draft)
    qf, qf_status = facts.qf, facts.qf_status
    if details_hidden(draft) and certified_ok(draft):
        rows, change = [("Quotient familial", "Obtenu auprès de la CAF ou de la MSA")], VERIFICATION.slug
    elif certified_ok(draft) and qf:
        text = f"{euros(qf.value)} ({provider_label(qf.provider)}, {month_year(qf.year, qf.month)})"
        rows, change = [("Quotient familial", text)], VERIFICATION.slug
    elif qf and qf.source == "document":
        document = documents.summary(documents.for_draft(draft))
        kind = dict(DOCUMENT_KINDS).get(answers(draft, "justificatif").get("kind"), "")
        rows = [
            ("Justificatif", f"{kind} ({document['label']}, {document['size_kb']} Ko)" if document else kind),
            ("Quotient familial déclaré", euros(qf.value)),
        ]
        change = PROOF.slug
    elif qf_status == "pending":
        rows, change = [("Quotient familial", "La mairie interrogera la CAF ou la MSA plus tard")], VERIFICATION.slug
    else:
        rows = [("Quotient familial", "Non fourni : plein tarif")]
        change = VERIFICATION.slug if uses_api(draft) else INFORMATION.slug
    return [Section("Quotient familial", rows, change, "le quotient familial")]


PROOF = Step(
    "justificatif",
    "Votre justificatif",
    applies=wants_documents,
    form=lambda draft, **kwargs: DocumentForm(**kwargs),
    context=lambda draft, form: {"document": documents.summary(documents.for_draft(draft))},
    files=receive_proof,
    recap=qf_recap,
    numbered_with=VERIFICATION.name,  # « Étape 3 » either way: the CAF/MSA's facts, or the proof instead
)

RESULT = Step(
    "resultat",
    "Votre résultat",
    applies=wants_pass_famille,
    form=lambda draft, **kwargs: None,
    context=lambda draft, form: {"result": decision_view(draft)},
    has_answers=False,
)

# The proof comes right after the CAF/MSA facts it replaces; the result just before the recap.
PROOF_STEPS = (PROOF,)
RESULT_STEPS = (RESULT,)
