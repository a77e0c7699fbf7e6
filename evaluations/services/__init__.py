"""Every write of the evaluations app, one module per area."""
