"""copytrace: find where a text came from."""

__version__ = "0.1.0"

__all__ = ["__version__"]
