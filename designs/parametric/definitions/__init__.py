"""Template schemas and their cross-parameter rules; light to import (no trimesh, no manifold3d)."""
