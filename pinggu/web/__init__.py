"""The product's web app beside the Prefect UI: 待办, uploads, approvals and documents (issue 14)."""
