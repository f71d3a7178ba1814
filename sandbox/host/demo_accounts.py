"""The accounts seed_demo creates, shown on the home and login pages of the demo host."""

from django.utils.translation import gettext_lazy as _

# (username, password, role)
DEMO_ACCOUNTS = [
    ("operator", "operator", _("Operator: superuser and staff, can use the admin")),
    ("author", "author", _("Course author: staff")),
    ("alice", "alice", _("Learner (Nurses)")),
    ("bob", "bob", _("Learner (Nurses, Engineers)")),
    ("carol", "carol", _("Learner (Engineers)")),
]
