"""Stand-in for the platform's course_modes app: the tracks (audit, verified, ...) of a course."""
