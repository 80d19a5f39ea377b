"""The design pages: designs, their versions and report, the quote form, and the parametric templates."""
