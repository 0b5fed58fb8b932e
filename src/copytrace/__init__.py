"""copytrace: find where a text came from.

Example:
    >>> import copytrace
    >>> result = copytrace.scan(["articles/"])
    >>> [(r.derived, r.kind, r.source) for r in result.relations if r.is_copy]
"""

# Set before the imports below: modules that report the version import it from here.
__version__ = "0.1.0"

from copytrace.config import Config, load_config
from copytrace.errors import ConfigError, CopytraceError, InputError, MissingDependency
from copytrace.ingest import read_text
from copytrace.pipeline import Models, compare_documents, scan, scan_documents
from copytrace.records import (
    Conflict,
    Document,
    Evidence,
    Link,
    Passage,
    Problem,
    Relation,
    ScanResult,
    Sentence,
    Story,
)

__all__ = [
    "Config",
    "ConfigError",
    "Conflict",
    "CopytraceError",
    "Document",
    "Evidence",
    "InputError",
    "Link",
    "MissingDependency",
    "Models",
    "Passage",
    "Problem",
    "Relation",
    "ScanResult",
    "Sentence",
    "Story",
    "__version__",
    "compare_documents",
    "load_config",
    "read_text",
    "scan",
    "scan_documents",
]
