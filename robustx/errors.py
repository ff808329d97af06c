"""The one exception type that the CLI turns into a one-line message and exit code 2."""


class RobustxError(Exception):
    """A user-facing error: bad input, bad config, missing file or unusable checkpoint.

    The message must name the culprit (file and line, config key, checkpoint) and,
    where there is one, the fix.
    """


def first_line(exc: BaseException) -> str:
    """The first line of ``exc``'s message (its type name if empty): a library's error inside ours."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class ParamsError(RobustxError, ValueError):
    """A recipe parameter out of range or of the wrong kind, raised where its Params are built.

    A ValueError too, so that code catching bad values (``Perturbation.from_dict``, which adds
    the file and key) keeps working, and a RobustxError for callers of the Python API.
    """
