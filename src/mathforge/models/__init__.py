"""Model helpers shared by tests, benchmarks and the tiny recipe."""
