"""Password hashes: PBKDF2-HMAC-SHA256 from the standard library, salted, slow, compared in constant time.

A stored hash is one string holding the algorithm, the iteration count, the salt and the digest:

    pbkdf2_sha256$600000$<salt, 16 random bytes as hex>$<digest, 32 bytes as hex>

600,000 iterations is OWASP's figure for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet, 2023): about
0.15 s a check on one core here, which a person signing in does not notice and a guesser pays for every
guess. A hash made with fewer iterations (an older default) still verifies and `needs_rehash` says so, so
the next successful sign-in stores it again at today's cost.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from healthdash.access.errors import AccessError

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000
MIN_LENGTH = 10
SALT_BYTES = 16
# Letters and digits a person reads off a printout without confusing them (no 0/O, 1/l/I).
_READABLE = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def check_policy(password: str) -> None:
    """Raise AccessError unless `password` is long enough to be set."""
    if len(password) < MIN_LENGTH:
        raise AccessError("password_short", minimum=MIN_LENGTH)


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """The stored form of `password`, with a new random salt unless one is given."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def _parts(stored: str) -> tuple[int, bytes, bytes] | None:
    """(iterations, salt, digest) of a well-formed stored hash, else None."""
    try:
        algorithm, iterations, salt, digest = stored.split("$")
        parts = int(iterations), bytes.fromhex(salt), bytes.fromhex(digest)
    except ValueError:
        return None
    if algorithm != ALGORITHM or parts[0] < 1 or not parts[1] or len(parts[2]) != 32:
        return None
    return parts


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored`; the digests are compared in constant time, and a malformed
    stored value never matches."""
    parts = _parts(stored)
    if parts is None:
        return False
    iterations, salt, expected = parts
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)


def needs_rehash(stored: str, iterations: int = ITERATIONS) -> bool:
    """Whether `stored` was made with fewer iterations than are used now (or is unreadable)."""
    parts = _parts(stored)
    return parts is None or parts[0] < iterations


def iterations_of(stored: str) -> int | None:
    parts = _parts(stored)
    return parts[0] if parts is not None else None


def dummy_verify(password: str, iterations: int = ITERATIONS) -> None:
    """Spend what a real check costs, for a name that has no account: the answer comes as late as for one
    that has, so timing does not tell which names exist."""
    hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), b"\x00" * SALT_BYTES, iterations)


def random_password(length: int = 14) -> str:
    """A new password to hand out once (sample accounts, an account added without one)."""
    return "".join(secrets.choice(_READABLE) for _ in range(max(length, MIN_LENGTH)))
