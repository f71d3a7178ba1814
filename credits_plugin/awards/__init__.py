"""Awarded credits: credit types, credits, course credits and what learners earn with certificates."""
