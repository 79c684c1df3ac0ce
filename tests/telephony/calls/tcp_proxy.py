"""A loopback TCP proxy whose connections a test can cut (RST both ways), and which can refuse new ones."""

import contextlib
import socket
import struct
import threading

RESET_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST


class _ProxiedConnection:
    """A client socket and its upstream socket. Only the last pump thread to stop closes them, so no
    socket is ever used after close (its descriptor may already belong to the next connection)."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.sockets = (client, upstream)
        self._lock = threading.Lock()
        self._running_pumps = 2
        self._closed = False

    def start(self) -> None:
        client, upstream = self.sockets
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def reset(self) -> None:
        """Make both sides see a reset: wake the pumps; the last one closes with linger 0."""
        with self._lock:
            if self._closed:
                return
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
            self._wake_pumps()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with self._lock:
            self._running_pumps -= 1
            if self._running_pumps:
                self._wake_pumps()
                return
            self._closed = True
            for sock in self.sockets:
                sock.close()

    def _wake_pumps(self) -> None:
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RD)  # a blocked recv() returns at once


class CuttableTcpProxy:
    """Forwards 127.0.0.1:<port> to TARGET; `cut()` resets every live connection like a failed network."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.refusing = False
        self.accepted = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._connections: list[_ProxiedConnection] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True).start()

    def cut(self) -> None:
        """Reset every proxied connection now."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.reset()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = None if self.refusing else self._connect_upstream()
            if upstream is None:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
                client.close()
                continue
            self.accepted += 1
            connection = _ProxiedConnection(client, upstream)
            with self._lock:
                self._connections.append(connection)
            connection.start()

    def _connect_upstream(self) -> socket.socket | None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            return None
        upstream.settimeout(None)  # a quiet AMI line is normal: never time the relay out
        return upstream
