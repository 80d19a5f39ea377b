"""Pricing maths: material, machine time per process, handling, set-up and quantity discounts.

Pure: nothing here imports Django. Money is ``decimal.Decimal`` quantised to cents with ROUND_HALF_UP.
"""
