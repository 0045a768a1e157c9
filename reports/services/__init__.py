"""Services of the reports app: submissions and reviews, reminders, roll-ups."""
