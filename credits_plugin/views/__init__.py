"""Server-rendered pages for learners, course authors and operators."""
