"""The kinds of vocabulary terms, in one table: for each kind, its URL parameter, its key in JSON
documents, the Program property (and form field) that holds its terms, and its vocabulary.

The FilterSet, the admin, /manage/, the serializer and the importers derive their own mappings
from TERM_KINDS (NetBox's `choices.py` is the model), so a new kind is one row here, one value
of `Term.Kind` and a data migration of its terms.
"""

from dataclasses import dataclass

from . import vocabularies
from .models import Term


@dataclass(frozen=True)
class TermKind:
    kind: str  # Term.kind
    parameter: str  # the search's URL parameter (CONTRACT "Search parameters")
    json_key: str  # the key in JSON documents: the API, exports, our import format
    field: str  # the Program property, and the admin's and /manage/'s form field
    vocabulary: list  # (slug, label) pairs, in the contract's order

    @property
    def label(self):
        return Term.Kind(self.kind).label

    @property
    def slugs(self):
        return frozenset(slug for slug, _ in self.vocabulary)


V = vocabularies
TERM_KINDS = (
    TermKind(Term.Kind.THERAPY, "therapy", "therapies", "therapies", V.THERAPIES),
    TermKind(Term.Kind.PAYMENT, "payment", "payment", "payments", V.PAYMENTS),
    TermKind(Term.Kind.POPULATION, "population", "populations", "populations", V.POPULATIONS),
    TermKind(Term.Kind.LANGUAGE, "language", "languages", "languages", V.LANGUAGES),
    TermKind(
        Term.Kind.STEP_DOWN,
        "step_down_from",
        "step_down_from",
        "step_down_levels",
        V.STEP_DOWN_LEVELS,
    ),
)
