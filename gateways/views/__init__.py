"""Pages of the forward plan and the gateways, a module for each concern: the reports, the
decisions on them, delegation, the evaluation of bids, and the forward plan."""
