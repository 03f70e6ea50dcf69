#!/usr/bin/env python3
"""ESC/POS helpers for the dev-* tests (written for the tests, not taken from anywhere).

  escpos.py decode FILE [CODEPAGE-ENCODING]
      The byte stream as readable text with markers: [INIT] [CODEPAGE 17] [BOLD] [/BOLD]
      [DOUBLE] [/DOUBLE] [CENTER] [LEFT] [BARCODE 12] [QR url] [FEED 4] [CUT] [DRAWER]
      [PULSE] (DLE DC4 1: the real-time drawer pulse)
      [STATUS n] (a DLE EOT query). Text in the code page ESC t chose (17 = cp866).

  escpos.py printer --port-file F --out OUT --state STATE
      A fake network printer on 127.0.0.1 (a free port, written to F): appends every byte it
      gets to OUT and answers DLE EOT from the state in the file STATE, read at each query:
        ok | paper out | cover open | offline (no answer) | unplugged (connections dropped)
        slow (takes 16 bytes every 20 ms) | xoff (serial: sends XOFF and reads nothing until
        the state changes, then sends XON) | drop N (after N more bytes the line drops, as if
        unplugged mid-job; then the state goes back to ok) | unplug N (the same, but the
        state becomes "unplugged": the test pulls the line itself, then sets it back to ok)
  escpos.py printer --tty PATH ...   the same on a serial line (one end of a pty pair).
"""
import os
import select
import socket
import sys
import time

CODEPAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 17: "cp866", 46: "cp1251"}


def decode(data):
    out = []
    enc = "cp437"
    text = bytearray()
    i = 0
    n = len(data)

    def flush():
        if text:
            out.append(text.decode(enc, errors="replace"))
            text.clear()

    def mark(s):
        flush()
        out.append("[" + s + "]")

    while i < n:
        b = data[i]
        if b == 0x1B and i + 1 < n:
            c = data[i + 1]
            if c == 0x40:
                mark("INIT"); i += 2; continue
            if c == 0x74:
                enc = CODEPAGES.get(data[i + 2], "cp437")
                mark("CODEPAGE %d" % data[i + 2]); i += 3; continue
            if c == 0x45:
                mark("BOLD" if data[i + 2] else "/BOLD"); i += 3; continue
            if c == 0x61:
                mark({0: "LEFT", 1: "CENTER", 2: "RIGHT"}.get(data[i + 2], "ALIGN?")); i += 3
                continue
            if c == 0x64:
                mark("FEED %d" % data[i + 2]); i += 3; continue
            if c == 0x70:
                mark("DRAWER"); i += 5; continue
            mark("ESC %02x" % c); i += 2; continue
        if b == 0x1D and i + 1 < n:
            c = data[i + 1]
            if c == 0x21:
                mark("DOUBLE" if data[i + 2] else "/DOUBLE"); i += 3; continue
            if c in (0x68, 0x77, 0x48):
                i += 3; continue
            if c == 0x56:
                mark("CUT"); i += 4 if data[i + 2] in (0x41, 0x42) else 3; continue
            if c == 0x6B:
                m = data[i + 2]
                if m >= 65:
                    ln = data[i + 3]
                    code = data[i + 4:i + 4 + ln].decode("ascii", errors="replace")
                    if code.startswith("{B"):
                        code = code[2:]
                    mark("BARCODE " + code); i += 4 + ln; continue
                j = data.index(0, i + 3)
                mark("BARCODE " + data[i + 3:j].decode("ascii")); i = j + 1; continue
            if c == 0x28 and data[i + 2] == 0x6B:
                ln = data[i + 3] | (data[i + 4] << 8)
                body = data[i + 5:i + 5 + ln]
                if body[:3] == b"\x31\x50\x30":
                    mark("QR " + body[3:].decode("utf-8", errors="replace"))
                i += 5 + ln; continue
            mark("GS %02x" % c); i += 2; continue
        if b == 0x10 and i + 2 < n and data[i + 1] == 0x04:
            mark("STATUS %d" % data[i + 2]); i += 3; continue
        if b == 0x10 and i + 4 < n and data[i + 1] == 0x14 and data[i + 2] == 0x01:
            mark("PULSE"); i += 5; continue
        text.append(b)
        i += 1
    flush()
    return "".join(out)


def read_state(path):
    try:
        with open(path) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def reply(state, n):
    """The byte a printer in this state sends for DLE EOT n, or None for no answer."""
    if state == "offline":
        return None
    bad = state in ("paper out", "cover open")
    if n == 1:
        return 0x1A if bad else 0x12
    if n == 2:
        return 0x16 if state == "cover open" else 0x32 if state == "paper out" else 0x12
    if n == 4:
        return 0x72 if state == "paper out" else 0x12
    return None


def serve_conn(rfd, wfd, args, is_sock):
    """Takes bytes until the line drops; answers DLE EOT. False when we dropped it."""
    pending = b""
    with open(args["out"], "ab") as out:
        while True:
            state = read_state(args["state"])
            if state == "unplugged":
                return False
            if state == "xoff":
                os.write(wfd, b"\x13")
                while read_state(args["state"]) == "xoff":
                    time.sleep(0.05)
                os.write(wfd, b"\x11")
                continue
            size = 16 if state == "slow" else 4096
            r, _, _ = select.select([rfd], [], [], 0.2)
            if not r:
                continue
            if state == "slow":
                time.sleep(0.02)
            try:
                chunk = os.read(rfd, size)
            except OSError:
                return True
            if not chunk:
                return True
            if state.startswith("drop ") or state.startswith("unplug "):
                what, left = state.split()[0], int(state.split()[1])
                if len(chunk) >= left:
                    out.write(chunk[:left]); out.flush()
                    with open(args["state"], "w") as f:
                        f.write("ok\n" if what == "drop" else "unplugged\n")
                    return False
                with open(args["state"], "w") as f:
                    f.write("%s %d\n" % (what, left - len(chunk)))
            out.write(chunk); out.flush()
            data = pending + chunk
            k = 0
            while True:
                k = data.find(b"\x10\x04", k)
                if k == -1 or k + 2 >= len(data):
                    break
                a = reply(read_state(args["state"]), data[k + 2])
                if a is not None:
                    os.write(wfd, bytes([a]))
                k += 3
            pending = data[-2:]


def printer(argv):
    args = {}
    it = iter(argv)
    for a in it:
        args[a.lstrip("-").replace("-", "_")] = next(it)
    if "tty" in args:
        while True:
            fd = os.open(args["tty"], os.O_RDWR | os.O_NOCTTY)
            serve_conn(fd, fd, args, False)
            os.close(fd)
            while read_state(args["state"]) == "unplugged":
                time.sleep(0.1)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    with open(args["port_file"] + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(args["port_file"] + ".tmp", args["port_file"])
    while True:
        conn, _ = srv.accept()
        if read_state(args["state"]) != "unplugged":
            serve_conn(conn.fileno(), conn.fileno(), args, True)
        conn.close()


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "decode":
        with open(sys.argv[2], "rb") as f:
            sys.stdout.write(decode(f.read()))
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "printer":
        printer(sys.argv[2:])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
