"""Why Songda reads AMI with its own asyncio reader (telephony/ami.py) instead of the asterisk-ami package.

Reproduces, against a local AMI-speaking server, what happens to asterisk-ami 0.1.7 when the line goes
quiet for longer than its socket timeout (here: the server stops answering for 4.5 s, then recovers):
the reader thread dies on `socket.timeout` without marking the client finished, so AutoReconnect keeps
calling `login()` on the dead socket and never opens a new connection, even after the server is healthy.

    .venv/bin/python benchmarks/asterisk_ami_stall.py
"""

import socket
import threading
import time

from asterisk.ami import AMIClient, AutoReconnect, SimpleAction

STALL_SECONDS = 4.5
CLIENT_TIMEOUT = 3


class StallingAmiServer:
    """Answers every action with Success, except while `stalled` is set (then it stays silent)."""

    def __init__(self) -> None:
        self.stalled = threading.Event()
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.sendall(b"Asterisk Call Manager/11.0.0\r\n")
        buffer = b""
        while data := client.recv(4096):
            buffer += data
            while b"\r\n\r\n" in buffer:
                frame, buffer = buffer.split(b"\r\n\r\n", 1)
                if self.stalled.is_set():
                    continue
                action_id = next(line[10:] for line in frame.split(b"\r\n") if line.startswith(b"ActionID: "))
                client.sendall(b"Response: Success\r\nActionID: " + action_id + b"\r\n\r\n")


def main() -> None:
    server = StallingAmiServer()
    client = AMIClient(address="127.0.0.1", port=server.port, timeout=CLIENT_TIMEOUT)
    AutoReconnect(client)
    print("login:", client.login(username="songda", secret="x").response.status)
    server.stalled.set()
    time.sleep(STALL_SECONDS)
    server.stalled.clear()
    time.sleep(4 * CLIENT_TIMEOUT)  # plenty of time for AutoReconnect to recover
    response = client.send_action(SimpleAction("Ping")).response
    print(
        f"server healthy again; Ping answered: {response is not None}; reader thread alive: "
        f"{client._thread.is_alive()}; TCP connections opened: {server.connections}"
    )


if __name__ == "__main__":
    main()
