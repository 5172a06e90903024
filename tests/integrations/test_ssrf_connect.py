"""The SSRF guard at connect time: the delivery client's sockets go only to checked
addresses, so a DNS answer that changes after the pre-delivery check cannot reach an
internal service (DNS rebinding)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
import pytest

from service.integrations.ssrf import PublicOnlyBackend, UnsafeURL, check_url
from tests.integrations.receiver import Receiver
from worker.webhooks.sending import delivery_client


@pytest.fixture
def internal() -> Iterator[Receiver]:
    """An 'internal service' on the loopback address that must never be reached."""
    server = Receiver().start()
    yield server
    server.stop()


def test_a_rebinding_dns_answer_cannot_reach_an_internal_address(internal: Receiver) -> None:
    """The host looked public when checked; at connect time it resolves to 127.0.0.1: refused."""
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])
    seen: list[tuple[str, int]] = []

    def rebinding(host: str, port: int) -> list[str]:
        seen.append((host, port))
        return next(answers)

    port = urlsplit(internal.url).port
    assert port is not None
    url = f"http://hooks.publisher.example:{port}/hooks"
    check_url(url, allow_private=False, resolver=rebinding)  # the check sees a public address
    with (
        delivery_client(allow_private=False, resolver=rebinding) as client,
        pytest.raises(httpx.ConnectError, match=r"blocked: .* 127\.0\.0\.1"),
    ):
        client.post(url, content=b"{}")
    assert seen == [("hooks.publisher.example", port)] * 2
    assert internal.received == []


def test_private_targets_are_refused_even_by_ip_literal(internal: Receiver) -> None:
    """An IP literal is checked the same way: the loopback receiver is not reached."""
    with (
        delivery_client(allow_private=False) as client,
        pytest.raises(httpx.ConnectError, match="not a public address"),
    ):
        client.post(internal.url, content=b"{}")
    with pytest.raises(UnsafeURL):
        check_url(internal.url, allow_private=False)
    assert internal.received == []


def test_with_private_targets_allowed_the_client_connects(internal: Receiver) -> None:
    """Development setting: loopback receivers are reached through the same client code."""
    with delivery_client(allow_private=True) as client:
        assert client.post(internal.url, content=b"{}").status_code == 200
    assert len(internal.received) == 1


def test_the_socket_goes_to_the_address_that_was_checked() -> None:
    """The backend connects to the checked IP itself, not to the host name (no second look-up),
    and the TLS layer still gets the host name for SNI and certificate checks."""
    connected: list[tuple[str, int]] = []

    class Recording(httpcore.SyncBackend):
        def connect_tcp(self, host: str, port: int, *args: object, **kwargs: object) -> Any:
            connected.append((host, port))
            raise httpcore.ConnectError("no route (test)")

    backend = PublicOnlyBackend(lambda h, p: ["93.184.215.14"], backend=Recording())
    with pytest.raises(httpcore.ConnectError, match="no route"):
        backend.connect_tcp("hooks.publisher.example", 443)
    assert connected == [("93.184.215.14", 443)]


def test_deliveries_ignore_a_proxy_in_the_environment(
    internal: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``HTTP(S)_PROXY`` is not used: the worker connects to the receiver itself, so the
    connect-time check always applies (docs/integrations.md, *SSRF guard*; the docs said
    a proxy made the connection, which no delivery did)."""
    proxy = Receiver().start()
    try:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        with delivery_client(allow_private=True) as client:
            assert client.post(internal.url, content=b"{}").status_code == 200
        assert len(internal.received) == 1
        assert proxy.received == []
    finally:
        proxy.stop()
