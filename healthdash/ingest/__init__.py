"""Loading monthly reports: reading files in a bounded child process, checking every row, applying a load
whole or not at all while the dashboard keeps serving, undo, and the template data officers fill in."""
