"""Operating the booking state machine from its execution history: `scheduling ops ...`.

The same code reads AWS and the local stack (which serves the AWS API over HTTP), through
`scheduling_tooling.target`. Nothing here prints a task token or a customer's personal data: the
timeline keeps ids, dates, times, state names, errors and their messages.
"""
