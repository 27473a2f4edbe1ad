"""Logs that never hold what a visitor searched for.

People searching here may be in crisis. A failed request used to write its whole search to the
error log: gunicorn logs the request line, and an exception's message often quotes the value
that broke it (`invalid literal for int(): '22902'`, a database error's DETAIL). This formatter
cuts query strings out of every message and writes an exception as its type and stack only.
"""

import logging
import re
import traceback

# "?" up to the next blank or quote: the query string of a URL or request line.
QUERY_STRING = re.compile(r"\?[^\s\"']*")
# gunicorn's "Invalid request from ip=203.0.113.5: ..."
CLIENT_ADDRESS = re.compile(r"\bip=\S+")


def redact(text):
    """`text` without query strings or client addresses."""
    return CLIENT_ADDRESS.sub("ip=[withheld]", QUERY_STRING.sub("?[withheld]", text))


def exception_describe(exception):
    """A traceback with every frame and each exception's type, without its message."""
    chain = []
    while exception is not None and exception not in chain:
        chain.append(exception)
        if exception.__cause__ is not None:
            exception = exception.__cause__
        elif not exception.__suppress_context__:
            exception = exception.__context__
        else:
            exception = None
    lines = []
    for exception in reversed(chain):
        if lines:
            lines.append("Which led to:")
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(exception.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line}")
        kind = type(exception)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)")
    return "\n".join(lines)


class PrivateFormatter(logging.Formatter):
    """A Formatter whose output holds no query string, client address or exception message."""

    def formatMessage(self, record):
        return redact(super().formatMessage(record))

    def formatException(self, exc_info):
        return exception_describe(exc_info[1])

    def formatStack(self, stack_info):
        return stack_info  # code locations only
