"""A stage's Worker secrets: who owns each one, the deploy-time values, generated values and the inventory."""
