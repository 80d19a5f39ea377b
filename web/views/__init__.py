"""Page views, one module per audience."""
