"""The money engine: units, accounts, transfers, entries, holds and lots.

This package knows nothing of courses, enrolments, certificates or HTTP. Every other domain
moves value only through :mod:`credits_plugin.ledger.services`.
"""
