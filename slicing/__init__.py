"""Slicing: print time, material and the print file from PrusaSlicer, per printer profile.

The pure part lives in ``slicing.prusa`` (no Django); the app's models and tasks come next to it here.
"""
