"""HTTP face of the bridge (/bridge/v1)."""
