#!/usr/bin/env python3
"""A host-side helper for the harness group: serves a unix socket that QEMU's usb-serial chardev connects to,
and answers every byte it receives with the same byte, upper case swapped for lower (0x20 flipped for
letters), so a guest test can tell that its bytes went through the host and back."""
import os
import socket
import sys


def main() -> int:
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    print(f"listening on {path}", flush=True)
    while True:
        conn, _ = server.accept()
        print("QEMU connected", flush=True)
        with conn:
            while data := conn.recv(4096):
                print(f"got {data!r}", flush=True)
                conn.sendall(data.swapcase())
        print("QEMU disconnected", flush=True)


if __name__ == "__main__":
    sys.exit(main())
