"""Stand-in for the platform's course_overviews app: the course catalogue the LMS caches."""
