"""The vocabulary every search reads, kept in each process between requests.

Every search needs every term (the filter form's choices, and the slugs it accepts with their
ids); terms change a few times a year, through the admin. Reading them was one of a search's
three statements, so each process keeps the rows for `VOCABULARY_SECONDS`:

- a term saved or deleted in this process drops them at once, and again when its transaction
  commits (another thread may have read the old rows in between); so does `migrate` or `flush`;
- a term changed by another process (another worker, a shell, an import), or here by a bulk
  write that sends no signal (`QuerySet.update`, `bulk_create`), shows within
  `VOCABULARY_SECONDS`;
- rows read inside a transaction are used but not kept: the transaction may hold term writes it
  will roll back (tests run in one).
"""

import threading
import time

from django.conf import settings
from django.db import connection, transaction

_lock = threading.Lock()
_kept = None  # (monotonic time read, rows)
_generation = 0  # how many times the rows were dropped: rows read across a drop are not kept


class Vocabulary(tuple):
    """Every term as (kind, slug, pk, name) rows, in the terms' order (kind, position, name);
    `name` is the stored name (gettext it for the page's language, as `Term.__str__` does).

    `listed(ids)` names a program's term ids as its listing document gives them
    (ProgramQuerySet.ranked_for_listing): [id, kind, slug, name, position] in this order."""

    def __new__(cls, terms):
        terms = tuple(terms)
        vocabulary = super().__new__(
            cls, [(kind, slug, pk, name) for pk, kind, slug, name, _ in terms]
        )
        # id -> (its place in the order, its listed values)
        vocabulary.by_id = {term[0]: (rank, list(term)) for rank, term in enumerate(terms)}
        return vocabulary

    def listed(self, ids):
        """The terms of `ids` that this vocabulary holds, in its order; None when it lacks
        one (a term made since it was read)."""
        by_id = self.by_id
        try:
            return [values for _rank, values in sorted(by_id[pk] for pk in ids)]
        except KeyError:
            return None


def vocabulary():
    """The terms (Vocabulary): kept in the process for VOCABULARY_SECONDS."""
    global _kept
    kept = _kept
    if kept is not None and time.monotonic() - kept[0] < settings.VOCABULARY_SECONDS:
        return kept[1]
    from .models import Term

    read_at, generation = time.monotonic(), _generation
    rows = Vocabulary(
        Term.objects.order_by("kind", "position", "name").values_list(
            "pk", "kind", "slug", "name", "position"
        )
    )
    if not connection.in_atomic_block and settings.VOCABULARY_SECONDS > 0:
        with _lock:
            if generation == _generation:  # no term changed while they were read
                _kept = (read_at, rows)
    return rows


def forget(**kwargs):
    """Drop the kept rows now and when the current transaction (if any) commits."""
    global _kept, _generation
    with _lock:
        _kept = None
        _generation += 1
    if connection.in_atomic_block:
        transaction.on_commit(lambda: forget())
