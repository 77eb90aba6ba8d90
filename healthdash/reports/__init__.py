"""What leaves the screen for a meeting: the 运行简报 paragraph (rules and figures) and the briefing PDF."""
