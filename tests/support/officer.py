"""The data officer's password in the tests, and its hash at the fewest iterations the page accepts (a fifth
of a second a check, not the production 600,000)."""

from healthdash.ui.officer import MIN_ITERATIONS, hash_password

PASSWORD = "医联体-2024"
HASH = hash_password(PASSWORD, iterations=MIN_ITERATIONS)
