"""Receivers of Open edX events, connected through plugin_app's signals_config."""
