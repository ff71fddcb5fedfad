"""Services shared by the command line and the tasks: the Prefect client, the annual plan, the portfolio, notifications."""
