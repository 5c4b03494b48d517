"""Seat rules on vote tables: plurality, divisor (highest averages), quota and mixed systems.

Ranked-ballot counting (AV, STV, colleges, exhaustive ballots) is :mod:`kingmaker.counting`.
"""
