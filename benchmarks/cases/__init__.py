"""Every benchmark case; importing this package registers them (see :mod:`benchmarks.registry`).

To add one, write a module here and import it below.
"""

from benchmarks import fixtures  # noqa: F401  (registers the data fixtures)
from benchmarks.cases import balance, bulk, charges, statements  # noqa: F401
