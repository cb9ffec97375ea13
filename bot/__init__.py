"""Wiring: settings, the app factory, the command line, serve, the scheduler and the shell."""
