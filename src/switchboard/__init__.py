"""Switchboard: an integration hub around an org that speaks the Salesforce APIs."""

__version__ = "0.1.0"
__all__ = ["__version__"]
