"""What the test modules share: places looked up by name, the app opened through AppTest, tiny worlds.

The fixtures built on them (demo_db, app) are in tests/conftest.py.
"""
