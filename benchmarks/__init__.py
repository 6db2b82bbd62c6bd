"""Reproducible benchmarks. ``python -m benchmarks`` (or ``make bench``) runs every
``bench_*.py`` script in turn; each prints its table and records its rows in
``docs/benchmarks.md`` with the machine it ran on."""
