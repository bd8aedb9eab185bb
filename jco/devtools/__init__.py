"""Development tools: the benchmark, the synthetic data generator, the map preparation.

The application never imports this package; the CLI reaches it lazily and `make bench` runs it.
"""
