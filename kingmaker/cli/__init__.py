"""The ``kingmaker`` command line (presentation only: every command calls the library)."""
