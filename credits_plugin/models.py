"""Django discovers the plugin's models here; each domain keeps its own models module."""

from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer, Unit

__all__ = ["Account", "Entry", "Hold", "Lot", "Transfer", "Unit"]
