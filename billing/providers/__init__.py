"""Payment providers behind one interface (pure: no Django, no app code). See ``base``."""
