"""Two transactions at once, for the tests of what the database keeps true under concurrent
writes: one held open in another thread while the test writes, or starts a write, beside it."""

import threading
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def transaction_held_open(write):
    """`write()` done in another thread's transaction, which stays open (uncommitted, its
    locks held) for the block and commits when the block ends."""
    written, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                write()
                written.set()
                release.wait(5)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert written.wait(5), "the held transaction did not write in 5 s"
    try:
        yield
    finally:
        release.set()
        thread.join(5)


def started_elsewhere(write):
    """`write()` started in another thread, on its own connection; the thread, to join."""

    def run():
        try:
            write()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread
