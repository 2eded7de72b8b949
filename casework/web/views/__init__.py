"""Casework's pages. Each view declares its permission with ``@requires`` and reads via selectors."""
