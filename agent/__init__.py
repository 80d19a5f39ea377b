"""The maker agent: runs in the maker's workshop, pulls the jobs planned on the maker's printers from the platform's
maker API (outbound HTTPS only, so it works behind NAT), feeds them to OctoPrint, Moonraker (Klipper) or PrusaLink,
starts a print only after the maker confirmed the bed is clear, and reports progress and the outcome back.

A pure package: the standard library and ``requests`` only (no Django, no app code), so that it runs on a small
machine next to the printers with nothing of the platform installed. ``python -m agent --config agent.toml``.
"""
