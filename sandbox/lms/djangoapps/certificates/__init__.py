"""Stand-in for the platform's certificates app: issue, revoke and render course certificates."""
