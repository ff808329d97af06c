"""The one exception type that the CLI turns into a one-line message and exit code 2."""


class RobustxError(Exception):
    """A user-facing error: bad input, bad config, missing file or unusable checkpoint.

    The message must name the culprit (file and line, config key, checkpoint) and,
    where there is one, the fix.
    """
