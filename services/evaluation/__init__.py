"""The evaluation domain, without Prefect: opening, advancing and closing an evaluation (lifecycle), what its
gates wait for and how an answer is judged (gates, acceptors, submissions, answers), the report's content
(report_context), the text of its dashboard artifacts (artifacts) and the work of each step the ledger runs
(steps: one module per stage).

tasks/ wraps these as Prefect tasks (retries, caching, artifacts, the run's log); the web app and the command
line call them directly. Like every service, nothing here imports forms: an acceptor reads the answer through
the protocol of pinggu.services.evaluation.answers that its form (pinggu.forms.gates.GATE_FORMS) satisfies.
"""
