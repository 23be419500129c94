"""The hand-written runtime core of omp_sdk: errors, retry policy, transport, pagination, client bases.

Everything under ``omp_sdk/_generated`` is written by generators/src/python from the spec and builds on this.
"""
