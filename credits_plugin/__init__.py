"""Wallet, training and awarded credits for Open edX and other Django-based LMSs."""

__version__ = "0.1.0"
