"""Casework's benchmarks: performance targets live here, never as timed assertions in tests."""
