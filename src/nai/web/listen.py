"""Where `nai serve` listens: its sockets, bound before anything is announced (a port in use or a
host that does not resolve is one line and exit 1, and nothing claims to be serving), and the
addresses to print, usable in a browser. No Datasette here: plain sockets."""

from __future__ import annotations

import ipaddress
import socket
from typing import NamedTuple

from ..errors import NaiError

BACKLOG = 2048  # uvicorn's default
WILDCARDS = ("", "0.0.0.0", "::")


class Listening(NamedTuple):
    """The bound sockets, and what to tell the user about them."""

    sockets: list[socket.socket]
    port: int
    #: A URL that opens the archive's page from this machine.
    url: str
    #: A URL for other machines when every address listens (the host's name), else None.
    elsewhere: str | None
    #: Every address it listens on is a loopback one: only this machine can reach it.
    loopback: bool
    #: What it listens on, as typed in the messages: "127.0.0.1:8001", "every address, port 8001".
    where: str


def bind(host: str, port: int, path: str) -> Listening:
    """Listening sockets on every address `host` resolves to (a name may be IPv4 and IPv6), on
    `port` (0: one the system picks, the same for each address). `path` is the URL path to print."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise NaiError(f"{_host_port(host, port)}: {_reason(exc)}") from None
    addresses = list(dict.fromkeys((family, str(sockaddr[0])) for family, _, _, _, sockaddr in infos))
    sockets: list[socket.socket] = []
    try:
        for family, address in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait out TIME_WAIT
            if family == socket.AF_INET6 and len(addresses) > 1:  # "::" must not also take the IPv4 port
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind((address, port))
                sock.listen(BACKLOG)  # connections wait in the queue until the server takes them
            except OSError as exc:
                raise NaiError(f"{_host_port(address, port)}: {_reason(exc)}") from None
            port = sock.getsockname()[1]  # --port 0: the port chosen, for the other addresses too
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return _listening(sockets, host, port, path)


def _listening(sockets: list[socket.socket], host: str, port: int, path: str) -> Listening:
    bound = [sock.getsockname()[0] for sock in sockets]
    if any(address in WILDCARDS for address in bound):
        here = "127.0.0.1" if "0.0.0.0" in bound or host in ("", "0.0.0.0") else "::1"
        name = socket.gethostname()
        return Listening(
            sockets,
            port,
            f"http://{_host_port(here, port)}{path}",
            f"http://{_host_port(name, port)}{path}" if name else None,
            False,
            f"every address, port {port}",
        )
    loopback = all(_is_loopback(address) for address in bound)
    shown = host if not _is_ip(host) else bound[0]  # a name as typed; an address as the system writes it
    return Listening(sockets, port, f"http://{_host_port(shown, port)}{path}", None, loopback, _host_port(shown, port))


def _host_port(host: str, port: int) -> str:
    """host:port, an IPv6 address in brackets ([::1]:8001), as a URL writes it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _reason(exc: BaseException) -> str:
    """An OS or resolver error's reason, as the rest of a line: 'address already in use'."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    text = text or type(exc).__name__
    return text[:1].lower() + text[1:]
