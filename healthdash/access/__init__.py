"""Who may do what: password attempts and their lockout, and the server's guard on uploads."""
