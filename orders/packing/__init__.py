"""Packing the parts of a batch onto build plates (footprints on a plate, boxes in a powder bed).

Pure: nothing here imports Django.
"""
