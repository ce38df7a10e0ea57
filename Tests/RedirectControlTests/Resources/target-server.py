#!/usr/bin/env python3
"""Targets for `redirectctl check --targets` tests and bench/target-check: one HTTP/1.1 server on a free loopback
port, answering by path. Writes "PORT REFUSED_PORT" to --port-file once listening; REFUSED_PORT is a port bound but
not listening, so a connection to it is refused (and no other program can take it meanwhile).

Paths: /ok 200; /missing 404; /error 500; /slow 200 after --slow seconds; /chain/1 -> /chain/2 -> chain/3 ->
absolute /ok (relative and absolute Locations); /loop/a -> /loop/b -> /loop/a; /no-head 405 to HEAD, and to GET
200 with a 1 GB body sent slowly (a checker that reads bodies would not finish); /forbidden-head 403 to HEAD, 200
to GET; /page/N 200 (any N); /pause/N 200 after 0.2 s. Every answer waits --delay seconds first. With
--in-flight-file, the most requests ever handled at once is written to that file whenever it grows.
"""
import argparse
import os
import socket
import time
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IN_FLIGHT = {"now": 0, "most": 0}
IN_FLIGHT_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def answer(self, status, location=None, body=b"ok\n", length=None):
        self.send_response(status)
        if location is not None:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.route()

    def do_GET(self):
        self.route()

    def route(self):
        with IN_FLIGHT_LOCK:
            IN_FLIGHT["now"] += 1
            if IN_FLIGHT["now"] > IN_FLIGHT["most"]:
                IN_FLIGHT["most"] = IN_FLIGHT["now"]
                if OPTIONS.in_flight_file:
                    with open(OPTIONS.in_flight_file, "w") as f:
                        f.write("%d\n" % IN_FLIGHT["most"])
        try:
            self.answer_path()
        finally:
            with IN_FLIGHT_LOCK:
                IN_FLIGHT["now"] -= 1

    def answer_path(self):
        if OPTIONS.delay > 0:
            time.sleep(OPTIONS.delay)
        path = self.path.split("?", 1)[0]
        base = "http://%s:%d" % self.server.server_address[:2]
        if path == "/ok" or path.startswith("/page/"):
            self.answer(200)
        elif path.startswith("/pause/"):
            time.sleep(0.2)
            self.answer(200)
        elif path == "/missing":
            self.answer(404)
        elif path == "/error":
            self.answer(500)
        elif path == "/slow":
            time.sleep(OPTIONS.slow)
            self.answer(200)
        elif path == "/chain/1":
            self.answer(302, "/chain/2")
        elif path == "/chain/2":
            self.answer(301, "3")
        elif path == "/chain/3":
            self.answer(307, base + "/ok")
        elif path == "/loop/a":
            self.answer(302, "/loop/b")
        elif path == "/loop/b":
            self.answer(302, base + "/loop/a")
        elif path == "/forbidden-head":
            self.answer(403 if self.command == "HEAD" else 200)
        elif path == "/no-head":
            if self.command == "HEAD":
                self.answer(405)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(1 << 30))
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(100):
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            self.close_connection = True
        else:
            self.answer(404)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def main():
    global OPTIONS
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--slow", type=float, default=5.0)
    parser.add_argument("--in-flight-file")
    OPTIONS = parser.parse_args()
    server = Server((OPTIONS.host, 0), Handler)
    refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    refused.bind((OPTIONS.host, 0))
    with open(OPTIONS.port_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (server.server_address[1], refused.getsockname()[1]))
    os.rename(OPTIONS.port_file + ".tmp", OPTIONS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
