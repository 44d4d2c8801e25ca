"""Trainee practice: role-played customers from the seeds' scenarios, yes/no scorecards.

scenarios/*.toml hold one scenario each (goal, the context the trainee gets, the playbook
it trains, the customer's opening, and the scorecard's checks with a better line for
each); personas.toml holds the simulated customers. `scoring` scores a finished
transcript, one line per turn (`trainee:` / `customer:`).
"""
