"""Stand-in for the platform's language-preference constants (openedx/core/djangoapps/lang_pref)."""

# The user preference that holds the learner's language, as in the platform.
LANGUAGE_KEY = "pref-lang"
