"""Every non-trivial read of the evaluations app, one module per area."""
