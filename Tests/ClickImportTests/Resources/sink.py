#!/usr/bin/env python3
"""A test sink for `redirectctl import`: records every request and answers as a control file says.

    sink.py --log requests.jsonl --control control.json --port-file port [--port 0]

Binds 127.0.0.1 (port 0: any free port, written to --port-file once listening). Every request is appended to
--log as one JSON object: {"n", "method", "path", "headers", "body", "gzip", "status"} (the body gunzipped when
sent with Content-Encoding: gzip). The control file (JSON, re-read on every request; missing = {}) decides
the answer:

    {"status": 200}                      answer this status (default 200) with {"errors": []}
    {"fail_first": N, "fail_status": 500} the first N requests after the control file last changed get
                                         fail_status, later ones the normal answer
    {"succeed_first": N}                 the first N requests succeed, every later one gets fail_status
    {"errors": ["..."], "status": 226}   a 2xx whose body lists these errors (Tracardi's shape)
    {"reject_ids": ["id", ...],          answer 422 when the body holds one of these ids: "named" lists them as
     "reject_style": "named"|"fastapi"}  {"rejected":[{"id","reason"}]}, "fastapi" as FastAPI's
                                         {"detail":[{"loc":["body","events",i,"type"],"msg"}]}
    {"hang_seconds": S}                  wait S seconds before answering
    {"discard": true}                    record only path, size and status (fast, for benchmarks)
"""
import argparse
import gzip
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"n": 0, "control_text": None, "since_change": 0}


def read_control(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = "{}"
    return text, (json.loads(text) if text.strip() else {})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if len(raw) < length:
            # The client went away mid-body (killed): a real sink would not take half a batch either.
            self.close_connection = True
            return
        zipped = (self.headers.get("Content-Encoding") or "").lower() == "gzip"
        body = gzip.decompress(raw) if zipped else raw
        with lock:
            text, control = read_control(self.server.control_path)
            if text != state["control_text"]:
                state["control_text"] = text
                state["since_change"] = 0
            state["n"] += 1
            state["since_change"] += 1
            n, since = state["n"], state["since_change"]

        hang = float(control.get("hang_seconds", 0))
        if hang:
            time.sleep(hang)
        status = int(control.get("status", 200))
        answer = {"errors": list(control.get("errors", []))}
        fail_status = int(control.get("fail_status", 500))
        if since <= int(control.get("fail_first", 0)):
            status, answer = fail_status, {"detail": "failing on purpose"}
        elif "succeed_first" in control and since > int(control["succeed_first"]):
            status, answer = fail_status, {"detail": "failing on purpose"}
        elif control.get("reject_ids"):
            answer = self.rejection(body, control)
            if answer is not None:
                status = 422
            else:
                answer = {"errors": []}
        payload = json.dumps(answer).encode()

        entry = {"n": n, "method": self.command, "path": self.path, "status": status, "gzip": zipped,
                 "size": len(body)}
        if not control.get("discard"):
            entry["headers"] = {k.lower(): v for k, v in self.headers.items()}
            entry["body"] = body.decode("utf-8", "replace")
        with lock:
            with open(self.server.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
                log.flush()

        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def rejection(self, body, control):
        ids = [i for i in control["reject_ids"] if i.encode() in body]
        if not ids:
            return None
        if control.get("reject_style") == "fastapi":
            events = json.loads(body)["events"]
            detail = [{"loc": ["body", "events", k, "type"], "msg": "field required", "type": "value_error.missing"}
                      for k, e in enumerate(events) if e.get("id") in ids]
            return {"detail": detail}
        return {"rejected": [{"id": i, "reason": "bad event " + i[-4:]} for i in ids]}


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients killed mid-request (the kill test does that on purpose) are no error of the sink.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    # A parent may have blocked signals (test runners do); a sink that ignores SIGTERM never stops.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--control", required=True)
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.log_path = args.log
    server.control_path = args.control
    open(args.log, "a").close()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
