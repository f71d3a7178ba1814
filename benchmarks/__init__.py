"""Benchmarks of credits_plugin against what the database itself can do.

Run them with ``make bench`` (or ``python -m benchmarks --help``). Each backend runs in its own
process with its own database (``credits_bench``); worker processes are spawned with their own
connection. Benchmarks are *cases* in a small registry (:mod:`benchmarks.registry`); a new
feature adds its benchmark by registering a case in a module under :mod:`benchmarks.cases`.
"""
