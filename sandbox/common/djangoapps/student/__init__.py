"""Stand-in for the platform's student app: course enrolments."""
