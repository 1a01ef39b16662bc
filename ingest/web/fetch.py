"""HTTP for feeds and pages: http(s) only, a timeout, a size limit, a User-Agent, conditional requests, one request
at a time per host with a delay between them, and no way onto the machine's own or the local network's addresses
unless a setting allows it. Every failure is a FetchError whose message says why, for the person who added the URL."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

SCHEMES = ("http", "https")
REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that could not be read; the message is the reason, without the URL (the caller names it)."""


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 20.0  # seconds to connect, between bytes, and for the whole body
    max_bytes: int = 5_000_000
    host_delay: float = 1.0  # seconds between the end of one request to a host and the start of the next
    max_redirects: int = 5
    user_agent: str = "newsdesk"
    private_addresses: bool = False


@dataclass(frozen=True)
class Validators:
    """What a server said identifies this version (ETag, Last-Modified): sent back, it answers 304 if unchanged."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        sent = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in sent.items() if value}


@dataclass(frozen=True)
class Fetched:
    url: str  # where it was found, after redirects
    status: int  # 200, or 304 when the validators sent still name the current version
    content: bytes
    content_type: str
    validators: Validators


def web_scheme(location: str) -> str | None:
    """The URL scheme of ``location``, lower-cased, or None for a file path (a Windows drive letter is no scheme)."""
    scheme = urlsplit(location).scheme.lower()
    return scheme if (len(scheme) > 1 and "://" in location) or scheme == "file" else None


def address_problem(host: str, port: int, private_allowed: bool) -> str | None:
    """Why ``host`` may not be fetched from, or None. Every address it resolves to must be a public one: a feed
    must not lead newsdesk to the machine's own services or the office network's (a redirect to 127.0.0.1:8000)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        return f"unreachable: cannot resolve host '{host}' ({error})"
    if private_allowed:
        return None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return (
                f"'{host}' is {address}, a loopback, private or reserved address, which is refused unless "
                "NEWSDESK_FETCH_PRIVATE_ADDRESSES=true"
            )
    return None


class Fetcher:
    """One client for every fetch of one ingest or watcher; safe to share between threads."""

    def __init__(self, limits: FetchLimits):
        self.limits = limits
        self.client = httpx.Client(
            timeout=limits.timeout,
            follow_redirects=False,  # each hop's address is checked before it is requested
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}
        self._hosts_lock = threading.Lock()
        self.requests = 0  # sent, counting each redirect hop

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, validators: Validators | None = None) -> Fetched:
        """The body of ``url`` (after at most ``max_redirects`` redirects), or a 304 when ``validators`` still
        name the current version; FetchError otherwise."""
        for _ in range(self.limits.max_redirects + 1):
            parts = urlsplit(url)
            if parts.scheme.lower() not in SCHEMES or not parts.hostname:
                raise FetchError(f"only http(s) URLs are fetched, not '{url}'")
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
            problem = address_problem(parts.hostname, port, self.limits.private_addresses)
            if problem:
                raise FetchError(problem)
            with self._turn(parts.hostname.lower()):
                fetched, location = self._request(url, validators)
            if fetched:
                return fetched
            url = urljoin(url, location)
        raise FetchError(f"more than {self.limits.max_redirects} redirects")

    def _request(self, url: str, validators: Validators | None) -> tuple[Fetched | None, str]:
        """A Fetched, or None and where a redirect points."""
        self.requests += 1
        try:
            with self.client.stream("GET", url, headers=validators.headers() if validators else None) as response:
                found = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
                content_type = response.headers.get("content-type", "").lower()
                if response.status_code == 304:
                    return Fetched(url, 304, b"", content_type, validators or found), ""
                if response.status_code in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {response.status_code} redirect without a Location")
                    return None, location
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
                return Fetched(url, response.status_code, self._body(response), content_type, found), ""
        except httpx.TimeoutException:
            raise FetchError(f"no answer within {self.limits.timeout:g}s") from None
        except httpx.HTTPError as error:
            raise FetchError(f"unreachable ({type(error).__name__}: {error})") from None

    def _body(self, response: httpx.Response) -> bytes:
        """At most ``max_bytes`` (decompressed, so that a small gzip cannot unpack into gigabytes), within the
        timeout as a whole: a server sending a byte a second never finishes otherwise."""
        limit = self.limits.max_bytes
        too_large = f"larger than the {limit / 1e6:g} MB limit"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{int(declared) / 1e6:.1f} MB, {too_large}")
        deadline = time.monotonic() + self.limits.timeout
        parts, size = [], 0
        for part in response.iter_bytes():
            size += len(part)
            if size > limit:
                raise FetchError(too_large)
            if time.monotonic() > deadline:
                raise FetchError(f"not received within {self.limits.timeout:g}s")
            parts.append(part)
        return b"".join(parts)

    def _turn(self, host: str) -> _HostTurn:
        with self._hosts_lock:
            lock, last = self._hosts.setdefault(host, (threading.Lock(), [0.0]))
        return _HostTurn(lock, last, self.limits.host_delay)


class _HostTurn:
    """Holds a host's lock for one request, starting it no sooner than ``delay`` after the last one ended."""

    def __init__(self, lock: threading.Lock, last: list[float], delay: float):
        self.lock, self.last, self.delay = lock, last, delay

    def __enter__(self) -> None:
        self.lock.acquire()
        wait = self.last[0] + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def __exit__(self, *_) -> None:
        self.last[0] = time.monotonic()
        self.lock.release()
