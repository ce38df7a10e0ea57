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
     "reject_style": "named"|"fastapi"   {"rejected":[{"id","reason"}]}, "fastapi" as FastAPI's
                    |"plain"}            {"detail":[{"loc":["body","events",i,"type"],"msg"}]}, "plain" is a 400
                                         {"detail": "invalid input"} that names nothing
    {"hang_seconds": S}                  wait S seconds before answering (and create <control>.held first)
    {"drip_seconds": S, "drip_bytes": N} send the head (Content-Length N, default 1000) at once, then the body
                                         one byte every S seconds
    {"endless": true}                    send the head (chunked) at once, then a body that never ends (64 KiB
                                         every 50 ms)
    {"answer_text": "...",               answer this text (not JSON) with this Content-Type (default text/html)
     "content_type": "text/plain"}
    {"discard": true}                    record only path, size and status (fast, for benchmarks)

With --model tracardi it answers /track as Tracardi's own code does (tracardi 0.8.2/0.9.0-dev, tracardi-api 0.8.2):

    - the body's request.headers["user-agent"] parsed with the `user-agents` library (the one Tracardi uses)
      as a bot: 401 {"detail": "Traffic from bot is not allowed."} for the whole call (DISALLOW_BOT_TRAFFIC);
    - event sources from the control file's "sources" ({"id": "rest" | "redirect" | "disabled"}, default
      {"email-source": "rest"}): unknown, disabled, not of type rest, or starting with "@": 401 with Tracardi's
      detail text;
    - "token": "T" in the control file: any other Authorization than "Bearer T" is 401 "Incorrect credentials";
    - an event without "type": 422 with FastAPI's {"detail":[{"loc":["body","events",i,"type"],...}]};
    - profile_less from the query string only;
    - sessions: a session id it has not stored gets a new profile; the session is stored with that profile
      only when options.saveSession is not false. The log entry of each call says which "profile" it used
      and whether it was "profile_created";
    - the visitor IP from the header named by "forwarded_ip_header" (default x-forwarded-for), as Tracardi's
      USE_X_FORWARDED_IP setting does, logged as "ip";
    - "workflow_errors": [...] in the control file: 226 with those errors (0.8.x: the events are saved).
"""
import argparse
import gzip
import json
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

lock = threading.Lock()
state = {"n": 0, "control_text": None, "since_change": 0}
# Tracardi's session store: session id -> profile id.
sessions = {}


def tracardi_answer(handler, body, control):
    """Status, answer and extra log fields for one /track call, decided as Tracardi decides them."""
    import user_agents

    if not handler.path.startswith("/track"):
        return 404, {"detail": "Not Found"}, {}
    token = control.get("token")
    if token and handler.headers.get("Authorization") != "Bearer " + token:
        return 401, {"detail": "Incorrect credentials"}, {}
    try:
        payload = json.loads(body)
    except ValueError:
        return 422, {"detail": [{"loc": ["body"], "msg": "invalid json", "type": "value_error.jsondecode"}]}, {}
    query = parse_qs(urlsplit(handler.path).query)
    profile_less = query.get("profile_less", ["false"])[0].lower() == "true"
    ip_header = control.get("forwarded_ip_header", "x-forwarded-for")
    ip = handler.headers.get(ip_header, handler.client_address[0])
    extra = {"ip": ip, "profile_less": profile_less}

    agent = ((payload.get("request") or {}).get("headers") or {}).get("user-agent", "")
    if user_agents.parse(agent).is_bot:
        return 401, {"detail": "Traffic from bot is not allowed."}, extra
    source = (payload.get("source") or {}).get("id", "")
    if source.startswith("@"):
        return 401, {"detail": "Internal event sources are not allowed via API."}, extra
    kind = control.get("sources", {"email-source": "rest"}).get(source)
    if kind is None:
        return 401, {"detail": "Invalid event source `%s`. Request came from IP: `%s` width payload: %s"
                     % (source, ip, body[:200].decode("utf-8", "replace"))}, extra
    if kind == "disabled":
        return 401, {"detail": "Event source disabled."}, extra
    if kind != "rest":
        return 401, {"detail": "This endpoint allows only bridges of types ['rest'], but the even source `%s`.`%s` "
                               "has types `['%s']`. Change bridge type in event source `%s` to one that is "
                               "allowed." % (source, source, kind, source)}, extra
    events = payload.get("events") or []
    missing = [{"loc": ["body", "events", i, "type"], "msg": "field required", "type": "value_error.missing"}
               for i, event in enumerate(events) if not event.get("type")]
    if missing:
        return 422, {"detail": missing}, extra

    session = (payload.get("session") or {}).get("id")
    save = (payload.get("options") or {}).get("saveSession", True) is not False
    profile, created = None, False
    if not profile_less:
        with lock:
            profile = sessions.get(session) if session else None
            if profile is None:
                profile, created = str(uuid.uuid4()), True
                if session and save:
                    sessions[session] = profile
    extra.update({"profile": profile, "profile_created": created, "session": session})
    errors = list(control.get("workflow_errors", []))
    return (226 if errors else 200), {"profile": {"id": profile} if profile else None, "errors": errors}, extra


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
            # A test that acts while a request is held waits for this file.
            open(self.server.control_path + ".held", "a").close()
            time.sleep(hang)
        extra = {}
        if self.server.model == "tracardi":
            status, answer, extra = tracardi_answer(self, body, control)
            self.finish_request(n, zipped, body, status, answer, control, extra)
            return
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
                status = 400 if control.get("reject_style") == "plain" else 422
            else:
                answer = {"errors": []}
        self.finish_request(n, zipped, body, status, answer, control, extra)

    def finish_request(self, n, zipped, body, status, answer, control, extra):
        payload = json.dumps(answer).encode()
        entry = {"n": n, "method": self.command, "path": self.path, "status": status, "gzip": zipped,
                 "size": len(body)}
        entry.update(extra)
        if not control.get("discard"):
            entry["headers"] = {k.lower(): v for k, v in self.headers.items()}
            entry["body"] = body.decode("utf-8", "replace")
        with lock:
            with open(self.server.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
                log.flush()

        if "answer_text" in control:
            payload = control["answer_text"].encode()
        self.send_response(status)
        self.send_header("Content-Type", control.get("content_type", "text/html") if "answer_text" in control
                         else "application/json")
        if control.get("drip_seconds"):
            self.drip(float(control["drip_seconds"]), int(control.get("drip_bytes", 1000)))
            return
        if control.get("endless"):
            self.endless()
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def drip(self, seconds, size):
        """A head at once, then one byte every `seconds`: never a whole answer within any reasonable timeout."""
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.flush()
        for _ in range(size):
            time.sleep(seconds)
            self.wfile.write(b"x")
            self.wfile.flush()

    def endless(self):
        """A head at once, then chunks of a body that has no end, until the client goes away."""
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"%x\r\n%s\r\n" % (65536, b"y" * 65536)
        while True:
            self.wfile.write(chunk)
            self.wfile.flush()
            time.sleep(0.05)

    def rejection(self, body, control):
        ids = [i for i in control["reject_ids"] if i.encode() in body]
        if not ids:
            return None
        if control.get("reject_style") == "plain":
            return {"detail": "invalid input"}
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
    parser.add_argument("--model", choices=["plain", "tracardi"], default="plain")
    args = parser.parse_args()
    if args.model == "tracardi":
        import user_agents  # noqa: F401  (fail at start, not on the first request, when it is missing)
    server = Server(("127.0.0.1", args.port), Handler)
    server.model = args.model
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
