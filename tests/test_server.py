"""The workers' shared connection counts (iopfinder.server.ConnectionShares), on a real file.
How gunicorn's workers use them is tested under gunicorn in tests/test_probe.py."""

import fcntl
import os
import time

from iopfinder.server import TAKES_NONE, ConnectionShares


def test_each_worker_sees_the_fewest_another_holds_and_none_when_alone(tmp_path):
    path = tmp_path / "connections"
    first = ConnectionShares(path)
    assert first.fewest_elsewhere() is None
    second, third = ConnectionShares(path), ConnectionShares(path)
    assert len({first.offset, second.offset, third.offset}) == 3
    first.publish(20)
    second.publish(3)
    third.publish(7)
    assert first.fewest_elsewhere() == 3
    assert second.fewest_elsewhere() == 7
    assert third.fewest_elsewhere() == 3
    left = second.offset
    second.leave()
    assert first.fewest_elsewhere() == 7
    assert ConnectionShares(path).offset == left  # a record left is taken again


def test_a_worker_that_stopped_writing_is_left_out_and_its_record_taken(tmp_path):
    path = tmp_path / "connections"
    gone = ConnectionShares(path)
    gone.publish(0)
    live = ConnectionShares(path)
    live.publish(12)
    # The gone worker's last word, older than STALE seconds (a worker killed without leaving)
    ConnectionShares.RECORD.pack_into(
        gone.records, gone.offset, 999_999, 0, time.monotonic() - ConnectionShares.STALE - 1
    )
    assert live.fewest_elsewhere() is None
    assert ConnectionShares(path).offset == gone.offset


def test_the_file_is_not_left_locked(tmp_path):
    """A worker's mapping holds a copy of the descriptor it locked the file with; a lock left
    on it kept the second worker waiting in its start for ever."""
    path = tmp_path / "connections"
    shares = ConnectionShares(path)
    descriptor = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if still locked
    finally:
        os.close(descriptor)
    assert shares.fewest_elsewhere() is None


def test_a_worker_that_takes_no_connections_is_not_shared_with(tmp_path):
    """A worker stopping, or busy with a wide search, publishes TAKES_NONE: the others do not
    close connections for it to take (a stopping worker's count falls to 0 while it drains)."""
    path = tmp_path / "connections"
    busy, other, third = (ConnectionShares(path) for _ in range(3))
    busy.publish(TAKES_NONE)
    other.publish(9)
    third.publish(4)
    assert other.fewest_elsewhere() == 4
    third.publish(TAKES_NONE)
    assert other.fewest_elsewhere() is None
