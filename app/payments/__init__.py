"""The payment core: framework-free domain services (no Flask imports here)."""
