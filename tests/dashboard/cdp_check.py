#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol against a live monitor's dashboard.

The standard library has no WebSocket client, so a minimal one (RFC 6455: handshake, masked
text frames out, unmasked frames in) is written here; it is all the DevTools protocol needs.
Everything listens on 127.0.0.1 only. Processes started here are stopped by their PID.
Usage: cdp_check.py BLACKOUT CHROMIUM ARTEFACTS
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception:  # not there yet: the server starting, the page loading
            pass
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


class Listener:
    """A TCP port the monitor's check connects to; accepts and closes until closed itself."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
                conn.close()
            except OSError:
                return

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class WebSocket:
    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        assert host in ("127.0.0.1", "localhost"), host
        self.sock = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise AssertionError("websocket handshake: connection closed")
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head
        self.buffer = b""

    def send(self, text):
        data = text.encode()
        header = bytes([0x81])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        elif len(data) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise AssertionError("websocket closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def receive(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise AssertionError("websocket closed by the browser")
            if opcode in (0x9, 0xA):
                continue  # ping/pong: not used by DevTools
            message += payload
            if b0 & 0x80:
                return message.decode()


class Page:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.receive())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError("%s: %s" % (method, reply["error"]))
                return reply["result"]

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError("%s: %s" % (expression, result["exceptionDetails"]))
        return result["result"].get("value")


def main():
    blackout, chromium, artefacts = sys.argv[1:4]
    work = tempfile.mkdtemp(prefix="dashboard.", dir=artefacts)
    web, mail = Listener(), Listener()
    config = os.path.join(work, "c.yaml")
    with open(config, "w") as f:
        f.write("lab_only: true\nvantage: e2e\ndefaults: { interval: 200ms, timeout: 100ms, jitter: 0s }\ntargets:\n"
                "  - { name: web-one, layer: web, groups: [site], address: 127.0.0.1, checks: [ {tcp: %d} ] }\n"
                "  - { name: mail-one, layer: mail, address: 127.0.0.1, checks: [ {tcp: %d} ] }\n" % (web.port, mail.port))
    http_port, cdp_port = free_port(), free_port()
    base = "http://127.0.0.1:%d" % http_port
    processes = []
    try:
        monitor_log = open(os.path.join(artefacts, "monitor.log"), "w")
        processes.append(subprocess.Popen([blackout, "monitor", config, "--store", "none", "--quiet", "--user", "root",
                                           "--listen", "127.0.0.1:%d" % http_port], stdout=monitor_log, stderr=monitor_log))

        def state_of(target):
            doc = json.load(urllib.request.urlopen(base + "/api/v1/state", timeout=5))
            return next(t["state"] for t in doc["targets"] if t["target"] == target)

        wait_for(lambda: state_of("web-one") == "up", 20, "web-one up in /api/v1/state")
        # A series point is taken every 2 s: wait for a couple so the drill-down has a chart.
        time.sleep(4)

        browser_log = open(os.path.join(artefacts, "chromium.log"), "w")
        processes.append(subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                           "--user-data-dir=" + os.path.join(work, "profile"), "--remote-debugging-address=127.0.0.1",
                                           "--remote-debugging-port=%d" % cdp_port, "--disable-background-networking",
                                           "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                                           "--window-size=1400,1100", "about:blank"], stdout=browser_log, stderr=browser_log))
        pages = wait_for(lambda: [t for t in json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % cdp_port, timeout=2))
                                  if t["type"] == "page"], 30, "chromium's DevTools endpoint")
        page = Page(WebSocket(pages[0]["webSocketDebuggerUrl"]))
        page.call("Page.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1400, height=1100, deviceScaleFactor=1, mobile=False)
        page.call("Page.navigate", url=base + "/")
        wait_for(lambda: page.eval("document.body && document.body.dataset.ready === '1'"), 20, "the dashboard to load")
        # A mark in the page's memory: still there later means no reload happened.
        page.eval("window.__e2eMark = 'same page'")

        # The board shows the target, coloured up.
        wait_for(lambda: page.eval("document.querySelector('.cell[data-target=\"web-one\"]').classList.contains('s-up')"), 10,
                 "web-one's cell coloured up")
        rows = page.eval("[...document.querySelectorAll('#board .row')].map(r => r.dataset.layer).join(',')")
        assert rows == "web,mail", rows
        print("board: rows %s, web-one up" % rows)

        # A real click (mouse events at the cell's position) opens the drill-down.
        box = page.eval("(() => { const r = document.querySelector('.cell[data-target=\"web-one\"]').getBoundingClientRect();"
                        " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            page.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
        wait_for(lambda: page.eval("!document.getElementById('drill').hidden && document.getElementById('drill-name').textContent === 'web-one'"
                                   " && !!document.querySelector('#drill-chart svg')"), 10, "the drill-down with its chart")
        print("drill-down: opened with an RTT/loss chart")

        # The target goes down: the port closes, and the page is told over its stream.
        web.close()
        wait_for(lambda: page.eval("document.querySelector('.cell[data-target=\"web-one\"]').classList.contains('s-down')"), 30,
                 "web-one's cell turning down without a reload")
        assert page.eval("window.__e2eMark") == "same page", "the page was reloaded"
        assert page.eval("performance.getEntriesByType('navigation').length") == 1
        wait_for(lambda: page.eval("document.getElementById('drill-state').textContent") == "down", 10, "the drill-down's state")
        print("live update: web-one down, no reload")

        # Let the charts and the event list catch up, then the screenshot.
        wait_for(lambda: page.eval("document.getElementById('events').children.length > 0"), 20, "the event in the list")
        time.sleep(5)
        shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        png = base64.b64decode(shot["data"])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20000, len(png)
        with open(os.path.join(artefacts, "dashboard.png"), "wb") as f:
            f.write(png)
        print("screenshot: %s (%d bytes)" % (os.path.join(artefacts, "dashboard.png"), len(png)))

        # 10,000 targets: `blackout serve` over an empty store with a large inventory; the
        # board must hold every cell (sizes, not times: timing belongs in bench/).
        big = os.path.join(work, "big.yaml")
        with open(big, "w") as f:
            f.write("lab_only: true\nvantage: e2e\ntargets:\n")
            layers = ["web", "mail", "dns", "router"]
            for i in range(10000):
                f.write("  - { name: t%d, layer: %s, address: 127.0.0.1, checks: [ {tcp: 9} ] }\n" % (i, layers[i % 4]))
        serve_port = free_port()
        serve_log = open(os.path.join(artefacts, "serve.log"), "w")
        # serve only reads a store, and refuses a path with none: a writer makes it, stopped
        # before its first check is due.
        empty = os.path.join(work, "empty.db")
        subprocess.run([blackout, "monitor", config, "--store", "sqlite:" + empty, "--quiet", "--user", "root", "--duration", "0s"],
                       stdout=serve_log, stderr=serve_log, check=True, timeout=30)
        processes.append(subprocess.Popen([blackout, "serve", "--store", "sqlite:" + empty, "--config", big,
                                           "--listen", "127.0.0.1:%d" % serve_port], stdout=serve_log, stderr=serve_log))
        wait_for(lambda: urllib.request.urlopen("http://127.0.0.1:%d/healthz" % serve_port, timeout=2).status == 200, 30, "blackout serve")
        page.call("Page.navigate", url="http://127.0.0.1:%d/" % serve_port)
        wait_for(lambda: page.eval("document.body && document.body.dataset.ready === '1'"), 30, "the 10,000-target dashboard to load")
        cells = page.eval("document.querySelectorAll('#board .cell').length")
        assert cells == 10000, cells
        rows = page.eval("[...document.querySelectorAll('#board .row')].map(r => r.dataset.layer + ':' + r.querySelectorAll('.cell').length).join(',')")
        assert rows == "web:2500,mail:2500,dns:2500,router:2500", rows
        print("10,000 targets: %s" % rows)
        # Closed from inside, the browser reaps its own helper processes before it exits.
        try:
            page.call("Browser.close")
        except AssertionError:
            pass
    finally:
        for p in reversed(processes):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        web.close()
        mail.close()
        shutil.rmtree(work, ignore_errors=True)  # the browser profile and configs; logs and the screenshot stay
    return 0


if __name__ == "__main__":
    sys.exit(main())
