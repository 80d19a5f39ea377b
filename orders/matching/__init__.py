"""Where makers and customers are and which maker fits a part: places, distances, build-volume fit, ranking.

Pure: nothing here imports Django; inputs and outputs are frozen dataclasses.
"""
