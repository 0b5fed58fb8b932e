"""The errors copytrace raises for a user's mistake; the CLI prints them and exits with 2."""

from __future__ import annotations


class CopytraceError(Exception):
    """Base of every error copytrace raises on purpose."""


class InputError(CopytraceError):
    """An input file or text cannot be used; the message names the file and line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}" if path else message)


class ConfigError(CopytraceError):
    """A configuration value or file is wrong; the message names the field."""


class MissingDependency(CopytraceError):
    """An optional extra is not installed; the message gives the pip line that installs it."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs {package}, which is not installed. "
            f"Install it with: pip install 'copytrace[{extra}]'"
        )
