"""Checkout: paying for a course mode with credits and enrolling, kept true by enrolment events."""
