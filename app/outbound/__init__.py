"""Outbound HTTP: wall-clock deadlines shared by webhook delivery, store calls and gateways."""
