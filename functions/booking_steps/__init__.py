"""Step Lambdas of the booking state machine: one small module per Task, each exposing `handler`."""
