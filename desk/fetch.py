"""Fetching a page for the desk, safely: only http(s) on public addresses.
The host is resolved first and every address it resolves to must be public
(no private, loopback, link-local, multicast or reserved network); the
connection then goes to the address that was checked, so a second DNS
answer cannot swap it, and every redirect is checked the same way. Time,
size and content type are capped."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from .article import Unreadable

TIMEOUT = 10.0
MAX_REDIRECTS = 5
MAX_BYTES = 2_000_000
CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "CeasefirePositions-desk/1.0 (+fetches one article an editor asked for)"


class FetchRefused(Unreadable):
    """Why a page was not fetched, in words for the editor."""


@dataclass
class Fetched:
    url: str
    content_type: str
    body: bytes


def public_address(host: str, port: int, resolve=None) -> str:
    """The first address of ``host``, when all its addresses are public."""
    resolve = resolve or socket.getaddrinfo
    try:
        answers = resolve(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchRefused(f"The host {host} does not resolve.") from error
    addresses = [answer[4][0] for answer in answers]
    if not addresses:
        raise FetchRefused(f"The host {host} does not resolve.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast or ip.is_reserved:
            raise FetchRefused(
                f"{host} points to a private, loopback or link-local address ({address}): "
                "the desk fetches public pages only."
            )
    return addresses[0]


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch(url: str, *, resolve=None, timeout: float = TIMEOUT) -> Fetched:
    if not getattr(settings, "DESK_FETCH", True):
        raise FetchRefused(
            "This server does not fetch pages (DESK_FETCH is off): save the page and upload it."
        )
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused("Give an http:// or https:// address.")
        if parts.username or parts.password:
            raise FetchRefused("Addresses with a user name or password are not fetched.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            raise FetchRefused(f"This address does not parse ({error}).") from error
        address = public_address(parts.hostname, port, resolve)
        kind = _PinnedTLS if parts.scheme == "https" else _Pinned
        remaining = max(0.5, deadline - time.monotonic())
        connection = kind(parts.hostname, address, port=port, timeout=remaining)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain"}
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchRefused(f"The page redirects ({response.status}) to nowhere.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(f"The page answered {response.status} {response.reason}.")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
            if content_type.lower() not in CONTENT_TYPES:
                raise FetchRefused(
                    f"The address serves {content_type or 'an unknown type'}, not a web page "
                    "or text."
                )
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BYTES:
                raise FetchRefused("The page is over 2 MB: not one article.")
            body = _read(response, deadline)
            return Fetched(url, content_type, body)
        except FetchRefused:
            raise
        except TimeoutError as error:
            raise FetchRefused(f"{parts.hostname} did not answer within {timeout:g} s.") from error
        except (OSError, http.client.HTTPException, ssl.SSLError) as error:
            raise FetchRefused(f"{parts.hostname} could not be reached ({error}).") from error
        finally:
            connection.close()
    raise FetchRefused(f"The page redirects more than {MAX_REDIRECTS} times.")


def _read(response, deadline: float) -> bytes:
    chunks, size = [], 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchRefused("The page is over 2 MB: not one article.")
        if time.monotonic() > deadline:
            raise FetchRefused("The page took too long to download.")
        chunks.append(chunk)
    return b"".join(chunks)
