"""Standard Webhooks signing and the SSRF guard: pure functions."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from service.clock import utcnow
from service.integrations.signing import headers, new_secret, secret_bytes, sign
from service.integrations.ssrf import UnsafeURL, check_url
from service.integrations.webhooks import signing_secrets
from service.store.tables import WebhookEndpoint


def test_signer_matches_the_specifications_official_vector() -> None:
    """Our signature equals the Standard Webhooks test vector."""
    assert (
        sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            '{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_new_secrets_are_whsec_base64_of_32_bytes() -> None:
    """A new secret is whsec_ plus base64 of 32 random bytes, different each time."""
    a, b = new_secret(), new_secret()
    assert a.startswith("whsec_") and a != b
    assert len(secret_bytes(a)) == 32


def test_rotation_overlap_signs_with_both_secrets_and_each_verifies() -> None:
    """During the overlap both secrets sign; the official library verifies with either one."""
    old, new = new_secret(), new_secret()
    now = utcnow()
    endpoint = WebhookEndpoint(
        secret=new, previous_secret=old, previous_secret_expires_at=now + timedelta(hours=1)
    )
    body = json.dumps({"type": "comment.published", "timestamp": "t", "data": {}})
    sent = headers(signing_secrets(endpoint, now), "msg_1", int(now.timestamp()), body)
    assert len(sent["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, sent) == json.loads(body)
    later = now + timedelta(hours=2)
    assert signing_secrets(endpoint, later) == [new]


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.4", "169.254.169.254", "::1", "fd00::1"]
)
def test_ssrf_guard_refuses_private_addresses(address: str) -> None:
    """A URL that resolves to a loopback, private or link-local address is refused."""
    with pytest.raises(UnsafeURL):
        check_url(
            "https://hooks.example/x", allow_private=False, resolver=lambda host, port: [address]
        )


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a9fe:a9fe", "64:ff9b:1::7f00:1", "2002:7f00:1::", "::127.0.0.1", "::ffff:10.0.0.1"],
)
def test_ssrf_guard_refuses_ipv6_that_stands_for_a_private_ipv4(address: str) -> None:
    """NAT64, 6to4, IPv4-compatible and IPv4-mapped forms of a private IPv4 address are
    refused: a NAT64 gateway would forward 64:ff9b::a9fe:a9fe to 169.254.169.254 (review
    finding); the same forms of a public address pass."""
    with pytest.raises(UnsafeURL):
        check_url(
            "https://hooks.example/x", allow_private=False, resolver=lambda host, port: [address]
        )
    check_url("https://hooks.example/x", allow_private=False,
              resolver=lambda host, port: ["64:ff9b::5db8:d70e"])  # fmt: skip


def test_ssrf_guard_refuses_if_any_address_is_private() -> None:
    """One private address among public ones is enough to refuse (DNS round-robin tricks)."""
    with pytest.raises(UnsafeURL):
        check_url(
            "https://hooks.example/x",
            allow_private=False,
            resolver=lambda host, port: ["93.184.215.14", "10.0.0.1"],
        )


def test_ssrf_guard_accepts_public_and_allows_private_when_set() -> None:
    """A public address passes; with the setting, loopback passes without a lookup."""
    check_url(
        "https://hooks.example/x", allow_private=False, resolver=lambda h, p: ["93.184.215.14"]
    )
    check_url("http://127.0.0.1:9/x", allow_private=True, resolver=lambda h, p: [])


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example/", "file:///etc/passwd", "https://user:pw@hooks.example/", "nope"]
)
def test_ssrf_guard_refuses_non_http_urls_and_credentials(url: str) -> None:
    """Only plain http(s) URLs without credentials are accepted, whatever the setting."""
    with pytest.raises(UnsafeURL):
        check_url(url, allow_private=True)
