"""The client's address, believing ``X-Forwarded-For`` only from trusted proxies. Pure."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "127.0.0.1"]`` as networks (a bare address is a /32 or /128)."""
    return tuple(ipaddress.ip_network(spec.strip(), strict=False) for spec in specs if spec.strip())


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address in net for net in trusted)


def client_address(remote: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The peer's address (``remote``) unless the peer is a trusted proxy; then the right-most
    address of ``forwarded_for`` that is not itself a trusted proxy. A client can put anything
    in the header; only what trusted proxies appended (the right end) is believed, so a forged
    ``X-Forwarded-For`` changes nothing."""
    if not _trusted(_address(remote), trusted):
        return remote
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage: stop at the last address a trusted proxy vouched for
        if not _trusted(address, trusted):
            return str(address)
        remote = str(address)
    return remote
