"""Real-browser tests: Playwright driving Debian Chromium against the running app."""
