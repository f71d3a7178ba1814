# The version of credits-plugin (the Django app) that this Tutor plugin installs by default.
# Kept equal to credits_plugin.__version__: both are released together.
__version__ = "0.1.0"
