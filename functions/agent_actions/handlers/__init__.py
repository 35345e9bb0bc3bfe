"""The three action groups' Lambda handlers: scheduling, information, notes."""
