"""The one exception type that the CLI turns into a one-line message and exit code 2."""


class RobustxError(Exception):
    """A user-facing error: bad input, bad config, missing file or unusable checkpoint.

    The message must name the culprit (file and line, config key, checkpoint) and,
    where there is one, the fix.
    """


def first_line(exc: BaseException) -> str:
    """The first line of ``exc``'s message (its type name if empty): a library's error inside ours."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
