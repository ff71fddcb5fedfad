"""What people type: the flow parameters and the gate forms, with Chinese labels for the Prefect UI."""
