"""What every request shares and no domain owns: database, configuration, cache, security."""
