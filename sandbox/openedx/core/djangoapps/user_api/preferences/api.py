"""Stand-in for the platform's user-preference API (openedx/core/djangoapps/user_api/preferences).

The demo host keeps no account preferences: every preference reads as unset, so the plugin's
e-mails go out in LANGUAGE_CODE, as the LMS sends them to a learner who chose no language.
"""


def get_user_preference(requesting_user, preference_key, username=None):
    """The value of the user's preference ``preference_key``, or None when it is not set."""
    return None
