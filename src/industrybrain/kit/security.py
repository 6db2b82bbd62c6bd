"""Domain-free security helpers: tokens, hashes, password hashing, CSRF tokens, login throttle.

Nothing here knows about users or organisations; ``modules/identity`` builds on these pieces.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer


def constant_time_equals(left: str | bytes, right: str | bytes) -> bool:
    """Compare two secrets in time independent of where they first differ."""
    left_bytes = left.encode() if isinstance(left, str) else left
    right_bytes = right.encode() if isinstance(right, str) else right
    return hmac.compare_digest(left_bytes, right_bytes)


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token (32 bytes = 256 bits of entropy by default)."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """SHA-256 of a high-entropy token (sessions, API keys); a slow hash adds nothing there."""
    return hashlib.sha256(token.encode()).hexdigest()


class Passwords:
    """Argon2id password hashing with a dummy verification that equalises timing.

    ``cheap=True`` lowers the cost parameters for test runs only; hashes remember their own
    parameters, so a hash made with either setting verifies with both.
    """

    def __init__(self, *, cheap: bool = False) -> None:
        if cheap:
            self._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        else:
            self._hasher = PasswordHasher()
        self._dummy_hash: str | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def dummy_verify(self, password: str) -> None:
        """Spend the time of a real verification (for unknown users) and always fail."""
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash(new_token(16))
            dummy = self._dummy_hash
        self.verify(dummy, password)


class CsrfSigner:
    """CSRF tokens bound to a session identifier (or an anonymous pre-session identifier).

    The token is a signed, timestamped digest of the identifier: it is only valid together with
    the cookie it was made for, and forging it needs the application secret.
    """

    def __init__(self, secret_key: str, *, max_age_seconds: int = 12 * 3600) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="industrybrain.csrf")
        self._max_age = max_age_seconds

    @staticmethod
    def _binding(session_id: str) -> str:
        return hashlib.sha256(("csrf:" + session_id).encode()).hexdigest()[:32]

    def make(self, session_id: str) -> str:
        return self._serializer.dumps(self._binding(session_id))

    def verify(self, token: str | None, session_id: str | None) -> bool:
        if not token or not session_id:
            return False
        try:
            value = self._serializer.loads(token, max_age=self._max_age)
        except BadSignature:
            return False
        if not isinstance(value, str):
            return False
        return constant_time_equals(value, self._binding(session_id))


@dataclass
class SlidingWindowThrottle:
    """Count failures per key in a sliding time window; a key over ``limit`` is blocked.

    In-process memory: each web worker process keeps its own counts, so with N workers an
    attacker gets at most N x ``limit`` attempts per window. Thread-safe.
    """

    limit: int
    window_seconds: float
    clock: Callable[[], float] = time.monotonic
    _events: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and events[0] <= now - self.window_seconds:
            events.popleft()
        if not events:
            del self._events[key]
        return events

    def is_blocked(self, keys: Iterable[str]) -> bool:
        now = self.clock()
        with self._lock:
            return any(len(self._prune(key, now)) >= self.limit for key in keys)

    def record_failure(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._prune(key, now)
                self._events.setdefault(key, deque()).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
