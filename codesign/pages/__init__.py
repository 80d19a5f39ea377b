"""The co-design pages: conversations and revision proposals (their parts of other apps' pages come from the
``codesign`` template tags)."""
