"""The bundled data tables the shopper core reads: safety, rules and advice (TOML)."""
