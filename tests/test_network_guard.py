import socket

import pytest


def test_guard_blocks_outbound_connections() -> None:
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("203.0.113.1", 443), timeout=0.1)
    s = socket.socket()
    try:
        with pytest.raises(AssertionError, match="network"):
            s.connect(("198.51.100.7", 80))
    finally:
        s.close()


def test_guard_allows_loopback() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        client = socket.create_connection(server.getsockname(), timeout=1)
        client.close()
    finally:
        server.close()
