"""The CP-SAT planning model, the baselines and the independent evaluator.

Imports only :mod:`estate` and :mod:`ortools`.
"""
