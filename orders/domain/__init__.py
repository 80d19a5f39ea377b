"""Pure domain logic of the orders app: geography, pricing, maker matching and plate packing.

Nothing in this package imports Django, so it can be tested and benchmarked alone. Inputs and outputs are
frozen dataclasses; money is ``decimal.Decimal`` quantised to cents with ROUND_HALF_UP.
"""
