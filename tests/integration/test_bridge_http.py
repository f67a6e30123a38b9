#!/usr/bin/env python3
"""test_bridge_http.py: the HTTPD work mode against python's http.server
on 127.0.0.1: GET with the data appended to HTPURL, POST with the data as
body, HTPHD headers with [0D][0A] escapes, HTPPK on (body only) and off
(whole response), HTTP errors and connection failures reported on the data
port as +HTTPERR lines; and the SMS mode's framing reaching its hook.
"""
import http.server
import os
import socket
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cgtest import check, run_tests, wait_for  # noqa: E402
from bridge_util import Pty, bstatus, set_, start_daemon  # noqa: E402


class Handler(http.server.BaseHTTPRequestHandler):
    def _reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/missing"):
            self._reply(404, b"nothing here")
            return
        q = urllib.parse.urlsplit(self.path).query
        value = urllib.parse.unquote_to_bytes(q.split("=", 1)[-1])
        body = b"[" + value + b"]"
        if self.headers.get("X-Test"):
            body += b" X-Test=" + self.headers["X-Test"].encode()
        self._reply(200, body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self._reply(200, b"POST:" + self.rfile.read(n))

    def log_message(self, *args):
        pass


def serve():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_get_post():
    srv = serve()
    port = srv.server_address[1]
    d = start_daemon()
    try:
        p = Pty(os.path.join(d.dir, "data"))
        p.drain()
        set_(d, "HTPSV", "127.0.0.1,%d" % port)
        set_(d, "HTPURL", "/1.php?data=")
        set_(d, "HTPTP", "GET")
        set_(d, "HTPHD", "Accept: text/html[0D][0A]X-Test: yes[0D][0A]")
        set_(d, "WKMOD", "HTTPD")
        p.write(b"http://www.usr.cn")
        check(p.expect(b"[http://www.usr.cn] X-Test=yes", 10),
              "GET round trip as in the seed's example, with HTPHD")
        p.write(b"two words&\xff")
        check(p.expect(b"[two words&\xff]", 10),
              "GET: bytes a URL cannot carry are %-encoded")
        set_(d, "HTPTP", "POST")
        body = bytes(range(1, 256))
        p.write(body)
        check(p.expect(b"POST:" + body, 10), "POST round trip, binary body")
        set_(d, "HTPPK", "off")
        p.write(b"hdr")
        got = p.read_until(lambda b: b"POST:hdr" in b, 10)
        check(got.startswith(b"HTTP/1.0 200") and
              b"Content-Length: 8" in got and got.endswith(b"POST:hdr"),
              "HTPPK off: status line, headers and body")
        p.drain()
        set_(d, "HTPPK", "on")
        set_(d, "HTPTP", "GET")
        set_(d, "HTPURL", "/missing?x=")
        p.write(b"y")
        check(p.expect(b"+HTTPERR:HTTP 404\r\n", 10),
              "HTTP error reported on the data port")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
        s.close()
        set_(d, "HTPSV", "127.0.0.1,%d" % dead)
        p.write(b"z")
        check(p.expect(b"+HTTPERR:", 10), "connection refused reported")
        st = bstatus(d)["http"]
        check(st["ok"] >= 4 and st["failed"] >= 2, "status counts requests")
        check("HTTP request failed" in d.read_log(), "failures logged")
    finally:
        check(d.stop() == 0, "daemon exits cleanly")
        d.cleanup()
        srv.shutdown()


if __name__ == "__main__":
    run_tests(test_get_post)
