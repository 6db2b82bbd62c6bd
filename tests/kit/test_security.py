"""Domain-free security helpers."""

from __future__ import annotations

from industrybrain.kit.security import (
    CsrfSigner,
    Passwords,
    SlidingWindowThrottle,
    constant_time_equals,
    hash_token,
    new_token,
)


def test_tokens_and_hashes() -> None:
    first, second = new_token(), new_token()
    assert first != second and len(first) >= 43
    assert hash_token(first) == hash_token(first) != hash_token(second)
    assert len(hash_token(first)) == 64
    assert constant_time_equals("abc", b"abc") and not constant_time_equals("abc", "abd")


def test_passwords_verify_and_fail_closed() -> None:
    passwords = Passwords(cheap=True)
    hashed = passwords.hash("s3cret-pass")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "s3cret-pass")
    assert not passwords.verify(hashed, "s3cret-pasS")
    assert not passwords.verify("not a hash", "s3cret-pass")
    passwords.dummy_verify("anything")  # never raises


def test_csrf_bound_to_session_and_secret() -> None:
    signer = CsrfSigner("k" * 40)
    token = signer.make("session-1")
    assert signer.verify(token, "session-1")
    assert not signer.verify(token, "session-2")
    assert not signer.verify(token, None)
    assert not signer.verify(None, "session-1")
    assert not signer.verify(token + "x", "session-1")
    assert not CsrfSigner("other" * 10).verify(token, "session-1")


def test_sliding_window_throttle() -> None:
    now = [1000.0]
    throttle = SlidingWindowThrottle(limit=3, window_seconds=60, clock=lambda: now[0])
    for _ in range(2):
        throttle.record_failure(["user:a", "ip:1"])
    assert not throttle.is_blocked(["user:a"])
    now[0] += 30
    throttle.record_failure(["user:a", "ip:1"])
    assert throttle.is_blocked(["user:a"]) and throttle.is_blocked(["user:zz", "ip:1"])
    assert not throttle.is_blocked(["user:b", "ip:2"])
    now[0] += 31  # the first two failures leave the window
    assert not throttle.is_blocked(["user:a"])
    throttle.record_failure(["user:a"])
    throttle.record_failure(["user:a"])
    assert throttle.is_blocked(["user:a"])
    throttle.reset("user:a")
    assert not throttle.is_blocked(["user:a"])
