"""The ledger's public surface, in one place: every change of a balance goes through one of
these functions, and every read of one.

This module only re-exports; each rule lives in the module named after what it is about:

==========================================  ================================================
:mod:`~credits_plugin.ledger.accounts`       units, accounts, system accounts and their id
                                             cache, the order in which accounts are locked
:mod:`~credits_plugin.ledger.lots`           lots and the one spending order
:mod:`~credits_plugin.ledger.transfers`      transfers and reversals
:mod:`~credits_plugin.ledger.holds`          holds: place, post, void, expire
:mod:`~credits_plugin.ledger.expiry`         expiry of lots
:mod:`~credits_plugin.ledger.bulk`           one grant to many accounts
:mod:`~credits_plugin.ledger.selectors`      reads: balances, history, lots, verification
:mod:`~credits_plugin.ledger.checks`         checks of a request: amount, key, actor
:mod:`~credits_plugin.ledger.idempotency`    fingerprints and replays
:mod:`~credits_plugin.ledger.fastpath`       the choice between the fast SQL path and the ORM
:mod:`~credits_plugin.ledger.sql`            the fast path's SQL, with typed rows
:mod:`~credits_plugin.ledger.writing`        the ORM path's write of one transfer
==========================================  ================================================

Why a facade module and not ``credits_plugin/ledger/__init__.py``: the package is imported
while Django loads the models (``credits_plugin.models`` imports ``credits_plugin.ledger.models``),
so its ``__init__`` must stay free of imports of the services; and every caller, test and mock
target already names ``credits_plugin.ledger.services``, which keeps working unchanged.

Each public function runs in one database transaction (a savepoint when the caller already
has one), takes an idempotency key, and locks what it changes (see
:mod:`~credits_plugin.ledger.accounts`).
"""

from __future__ import annotations

from credits_plugin.ledger.accounts import (
    ensure_unit,
    forget_cached_ids,
    get_or_create_account,
    system_account_id,
)
from credits_plugin.ledger.bulk import bulk_grant
from credits_plugin.ledger.checks import MAX_AMOUNT, RESERVED_KEY_PREFIXES
from credits_plugin.ledger.expiry import expire_lots, sweep_expired
from credits_plugin.ledger.holds import expire_holds, place_hold, post_hold, void_hold
from credits_plugin.ledger.idempotency import (
    find_replay,
    fingerprint,
    request_fingerprint,
    transfer_fingerprint,
)
from credits_plugin.ledger.selectors import (
    Balance,
    VerifyReport,
    balance,
    history,
    open_lots,
    verify_ledger,
)
from credits_plugin.ledger.transfers import reverse_transfer, transfer

__all__ = [
    "MAX_AMOUNT",
    "RESERVED_KEY_PREFIXES",
    "Balance",
    "VerifyReport",
    "balance",
    "bulk_grant",
    "ensure_unit",
    "expire_holds",
    "expire_lots",
    "find_replay",
    "fingerprint",
    "forget_cached_ids",
    "get_or_create_account",
    "history",
    "open_lots",
    "place_hold",
    "post_hold",
    "request_fingerprint",
    "reverse_transfer",
    "sweep_expired",
    "system_account_id",
    "transfer",
    "transfer_fingerprint",
    "verify_ledger",
    "void_hold",
]
