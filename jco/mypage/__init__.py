"""Each account's own page ("My page"), the next step of every operation, and watching operations."""
