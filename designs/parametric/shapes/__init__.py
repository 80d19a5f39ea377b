"""The geometry of each template: functions from canonical parameter values to a finished trimesh."""
