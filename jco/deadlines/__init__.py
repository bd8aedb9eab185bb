"""Deadlines: derived from the life cycle or added by hand; pages, calendar feeds and e-mail reminders."""
