#!/usr/bin/env python3
"""The test stack: nginx in front of redirectd (FastCGI) or of fcgiwrap running a CGI program, on 127.0.0.1.

One place starts it for scripts/attack-battery, scripts/spool-reliability, bench/run and bench/profile (they
import this module), and for scripts/run-example and the end-to-end tests (they run `stack.py nginx ...`).

nginx always gets nginx/example.conf.in with the product's own location block: nginx/redirectd-location.conf
as it is (FastCGI), or nginx/redirectd-cgi-location.conf with its program, directories and socket filled in
(CGI). No caller writes a location of its own.

Ports: the listening socket is bound to port 0 here and handed to nginx, which takes a socket it inherits
through the NGINX environment variable (its binary upgrade mechanism) instead of binding its own. Nothing can
take the port between our choosing it and nginx listening on it, so there is no race to retry.

Processes: each starts in a session (and so a process group) of its own; stopping one signals the whole group,
which also ends what it forked (nginx's workers, fcgiwrap's CGI processes, strace's tracee, a reloaded
redirectd). Nothing is ended by matching names.

    stack.py nginx --prefix DIR (--fastcgi unix:SOCKET | --cgi unix:SOCKET --program PATH --redirects DIR
                   --spool DIR [--param NAME=VALUE ...]) [--port N] [--access-log PATH]

renders DIR/nginx.conf, writes the port to DIR/port and replaces itself with nginx (same PID).
"""

import argparse
import atexit
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NGINX_DIR = os.path.join(ROOT, "nginx")
TEMPLATE = os.path.join(NGINX_DIR, "example.conf.in")
FASTCGI_LOCATION = os.path.join(NGINX_DIR, "redirectd-location.conf")
CGI_LOCATION = os.path.join(NGINX_DIR, "redirectd-cgi-location.conf")
UPSTREAM_CONF = os.path.join(NGINX_DIR, "redirectd-upstream.conf")
FCGIWRAP = "/usr/sbin/fcgiwrap"


class StackError(RuntimeError):
    """Something of the stack did not come up; the message says what and quotes its log."""


def log(message):
    print(message, file=sys.stderr, flush=True)


def wait_for(condition, timeout=15, what="condition", process=None, log_path=None, interval=0.02):
    """Polls `condition` every `interval` s until it holds; fails early when `process` exits, quoting `log_path`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise StackError(f"{what}: the process exited with {process.returncode}: {tail(log_path)}")
        if time.monotonic() > deadline:
            raise StackError(f"timed out after {timeout} s waiting for {what}: {tail(log_path)}")
        time.sleep(interval)


def tail(path, size=2000):
    if not path:
        return ""
    try:
        with open(path, "rb") as f:
            return f.read()[-size:].decode(errors="replace")
    except OSError:
        return ""


def socket_exists(path):
    return lambda: os.path.exists(path)


def unix_socket_accepts(path):
    """True once something accepts connections on the unix socket `path`."""
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def http_answers(port):
    """True once an HTTP server answers on 127.0.0.1:`port` (any status). A connect alone proves nothing here:
    the socket listens before nginx runs."""
    def answers():
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/")
            c.getresponse().read()
            c.close()
            return True
        except (OSError, http.client.HTTPException):
            return False
    return answers


def http_get(port, path, headers=None, timeout=10):
    """One GET on a fresh connection: (status, Location)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, r.getheader("Location")


# --- nginx configuration ----------------------------------------------------------------------------------

def listener(port=0):
    """A TCP socket listening on 127.0.0.1:`port` (0: one the kernel picks), for nginx to inherit."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError as e:
        s.close()
        raise StackError(f"cannot listen on 127.0.0.1:{port}: {e.strerror}") from e
    s.listen(4096)
    # nginx makes the sockets it opens non-blocking, but takes an inherited one as it is: a blocking one would
    # leave a worker that lost the race for a connection stuck in accept(2), its other clients waiting.
    s.setblocking(False)
    return s


def cgi_location(path, cgi_socket, program, redirects, spool, params=()):
    """Writes nginx/redirectd-cgi-location.conf to `path` with its program, directories and fcgiwrap socket set
    (as a site adjusts them) and `params` ((name, value) pairs) added; returns `path`."""
    with open(CGI_LOCATION) as f:
        text = f.read()
    settings = {"SCRIPT_FILENAME": program, "REDIRECTS_DIR": redirects, "CLICK_LOG_DIR": spool}
    for name, value in settings.items():
        text, count = re.subn(rf"(fastcgi_param {name}\s+)\S+;", lambda m: f"{m.group(1)}{value};", text)
        if count != 1:
            raise StackError(f"{CGI_LOCATION} has no single `fastcgi_param {name}` line to set")
    extra = "".join(f"    fastcgi_param {name} {value};\n" for name, value in params)
    text, count = re.subn(r"\n(\s*)fastcgi_pass \S+;", lambda m: f"\n{extra}{m.group(1)}fastcgi_pass {cgi_socket};",
                          text)
    if count != 1:
        raise StackError(f"{CGI_LOCATION} has no single `fastcgi_pass` line to set")
    with open(path, "w") as f:
        f.write(text)
    return path


def product_keepalive():
    """The idle connections to redirectd each nginx worker keeps, as nginx/redirectd-upstream.conf sets them."""
    with open(UPSTREAM_CONF) as f:
        found = re.search(r"^\s*keepalive\s+(\d+)\s*;", f.read(), re.MULTILINE)
    if not found:
        raise StackError(f"{UPSTREAM_CONF}: no keepalive line")
    return int(found.group(1))


def nginx_conf(prefix, port, location, upstream, access_log="off", keepalive=None):
    """nginx/example.conf.in with its @...@ values: nginx's files under `prefix`, 127.0.0.1:`port`, the location
    file to include, the `redirectd` upstream's server (`unix:/path`) and its `keepalive` (by default the
    product's, from nginx/redirectd-upstream.conf)."""
    with open(TEMPLATE) as f:
        text = f.read()
    values = {"PREFIX": prefix, "PORT": str(port), "LOCATION": location, "UPSTREAM": upstream,
              "ACCESS_LOG": access_log, "KEEPALIVE": str(keepalive or product_keepalive())}
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise StackError(f"{TEMPLATE}: no value for {', '.join(sorted(set(left)))}")
    return text


def prepare_nginx(prefix, port, location, upstream, access_log="off", keepalive=None):
    """Makes nginx's directory and writes its nginx.conf; returns the configuration's path."""
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(nginx_conf(prefix, port, location, upstream, access_log, keepalive))
    return conf


def nginx_argv(prefix):
    return ["nginx", "-c", os.path.join(prefix, "nginx.conf"), "-p", prefix]


def inherit_env(fd, env=None):
    """The environment nginx needs to take over the listening socket `fd` instead of binding its own."""
    return dict(env if env is not None else os.environ, NGINX=f"{fd};")


# --- processes ----------------------------------------------------------------------------------------------

class Stack:
    """A temporary directory and the processes started in it; `stop_all()` (also run at exit) ends them all.

    `on_signals`: turn SIGINT, SIGTERM and SIGHUP into SystemExit, so a script stopped from outside still
    runs its cleanup.
    """

    def __init__(self, prefix="redirectd-stack-", keep=False, on_signals=False):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        # nginx's workers may run as another user: let them reach sockets in here.
        os.chmod(self.dir, 0o755)
        self.keep = keep
        self.processes = []
        self.foreign = []  # PIDs we caused but did not fork (spawn-fcgi's children), each its own session
        atexit.register(self.stop_all)
        if on_signals:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, self._on_signal)

    @staticmethod
    def _on_signal(signum, frame):
        raise SystemExit(128 + signum)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def log_path(self, name):
        return self.path(name + ".log")

    def tail(self, name):
        return tail(self.log_path(name))

    def start(self, name, argv, env=None, wait=None, timeout=15, pass_fds=(), cwd=None):
        """Starts `argv` in a session of its own, stdout and stderr appended to <dir>/<name>.log; with `wait`
        (a condition), returns once it holds."""
        with open(self.log_path(name), "ab") as out:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                 start_new_session=True, pass_fds=pass_fds, cwd=cwd)
        self.processes.append(p)
        if wait:
            wait_for(wait, timeout, what=name, process=p, log_path=self.log_path(name))
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=5):
        """Signals `p`'s process group, and SIGKILLs it if the leader has not exited within `timeout`. Members
        left behind by an exited leader are killed too."""
        if p.poll() is None:
            signal_group(p.pid, sig)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                signal_group(p.pid, signal.SIGKILL)
                p.wait()
        signal_group(p.pid, signal.SIGKILL)
        if p in self.processes:
            self.processes.remove(p)

    def stop_all(self):
        atexit.unregister(self.stop_all)
        for pid in self.foreign:
            signal_group(pid, signal.SIGKILL)
        self.foreign = []
        for p in reversed(self.processes[:]):
            try:
                self.stop(p)
            except OSError:
                pass
        if self.keep:
            log(f"kept {self.dir}")
        elif os.path.isdir(self.dir):
            # Make everything removable again (tests chmod files and directories to 000).
            for dirpath, dirnames, filenames in os.walk(self.dir):
                for n in dirnames + filenames:
                    try:
                        os.chmod(os.path.join(dirpath, n), 0o755, follow_symlinks=False)
                    except (OSError, NotImplementedError):
                        pass
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- the parts ------------------------------------------------------------------------------------------

    def nginx(self, name="nginx", fastcgi=None, cgi=None, location=None, access_log="off", env=None,
              keepalive=None):
        """Starts nginx in <dir>/<name> on a free port and returns (process, port). One of: `fastcgi`, the
        redirectd socket path; `cgi`, a dict with socket, program, redirects, spool and optional params; or
        `location`, a location file of the caller's in place of redirectd's. `keepalive`: the upstream's, in
        place of the product's."""
        prefix = self.path(name)
        os.makedirs(prefix, exist_ok=True)
        upstream = fastcgi or (cgi or {}).get("socket") or self.path("none.sock")
        if location is None and cgi is not None:
            location = cgi_location(os.path.join(prefix, "redirectd-cgi-location.conf"), "unix:" + cgi["socket"],
                                    cgi["program"], cgi["redirects"], cgi["spool"], cgi.get("params", ()))
        listening = listener()
        port = listening.getsockname()[1]
        try:
            prepare_nginx(prefix, port, location or FASTCGI_LOCATION, "unix:" + upstream, access_log, keepalive)
            p = self.start(name, nginx_argv(prefix), env=inherit_env(listening.fileno(), env),
                           pass_fds=[listening.fileno()])
        finally:
            listening.close()
        wait_for(http_answers(port), what=f"nginx on port {port}", process=p,
                 log_path=os.path.join(prefix, "error.log"))
        return p, port

    def fcgiwrap(self, socket_path, children=4, name="fcgiwrap", argv_prefix=()):
        """Starts fcgiwrap (optionally under `argv_prefix`, e.g. strace) on the unix socket `socket_path`."""
        p = self.start(name, list(argv_prefix) + [FCGIWRAP, "-c", str(children), "-s", "unix:" + socket_path],
                       wait=socket_exists(socket_path))
        os.chmod(socket_path, 0o666)  # nginx's workers run as nobody when the master is root
        return p

    def spawn_fcgi(self, socket_path, argv, forks=1, name="spawn-fcgi", user=None):
        """Runs a FastCGI program the spawn-fcgi way (it binds the socket and hands it over as fd 0).

        forks 0: `spawn-fcgi -n`, which execs the program in the process it starts (so its stderr reaches the
        log; a forking spawn-fcgi points its children's output to /dev/null); returns that process.
        forks N: N processes on the one socket; spawn-fcgi puts each in a session of its own and exits, and
        their PIDs (from its output) are ended by `stop_all()`; returns the PIDs."""
        head = ["spawn-fcgi", "-s", socket_path, "-M", "0666"]
        if user:
            head += ["-u", user, "-g", "nogroup"]
        if forks == 0:
            p = self.start(name, head[:1] + ["-n"] + head[1:] + ["--"] + list(argv))
            # Polled often: the attack battery times restarts by it.
            wait_for(lambda: unix_socket_accepts(socket_path), 10, what=name, process=p,
                     log_path=self.log_path(name), interval=0.005)
            return p
        out = subprocess.run(head + ["-F", str(forks), "--"] + list(argv), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, cwd=self.dir)
        pids = [int(n) for n in re.findall(r"PID: (\d+)", out.stdout)]
        self.foreign += pids
        if out.returncode != 0 or len(pids) != forks:
            raise StackError(f"spawn-fcgi started {len(pids)} of {forks}: {out.stdout.strip()[-500:]}")
        wait_for(lambda: unix_socket_accepts(socket_path), 10, what=name)
        return pids


def signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --- command line: nginx for the end-to-end tests and scripts/run-example -----------------------------------

def main(argv):
    ap = argparse.ArgumentParser(prog="stack.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    n = sub.add_parser("nginx", help="render nginx.conf and become nginx")
    n.add_argument("--prefix", required=True, help="nginx's directory (configuration, logs, temporary files)")
    n.add_argument("--port", type=int, default=0, help="127.0.0.1 port (default: a free one, written to PREFIX/port)")
    n.add_argument("--fastcgi", help="unix:SOCKET where redirectd listens")
    n.add_argument("--cgi", help="unix:SOCKET where fcgiwrap listens")
    n.add_argument("--program", help="CGI: the program fcgiwrap runs per click")
    n.add_argument("--redirects", help="CGI: REDIRECTS_DIR")
    n.add_argument("--spool", help="CGI: CLICK_LOG_DIR")
    n.add_argument("--param", action="append", default=[], help="CGI: one more NAME=VALUE for the program")
    n.add_argument("--access-log", default="off", help="access log path (default off)")
    n.add_argument("--keepalive", type=int, help="the upstream's keepalive (default: nginx/redirectd-upstream.conf's)")
    args = ap.parse_args(argv)
    if bool(args.fastcgi) == bool(args.cgi):
        ap.error("give one of --fastcgi and --cgi")
    prefix = os.path.abspath(args.prefix)
    os.makedirs(prefix, exist_ok=True)
    if args.cgi:
        if not (args.program and args.redirects and args.spool):
            ap.error("--cgi needs --program, --redirects and --spool")
        params = [tuple(p.split("=", 1)) for p in args.param]
        location = cgi_location(os.path.join(prefix, "redirectd-cgi-location.conf"), args.cgi, args.program,
                                args.redirects, args.spool, params)
        upstream = args.cgi
    else:
        location, upstream = FASTCGI_LOCATION, args.fastcgi
    try:
        listening = listener(args.port)
    except StackError as e:
        sys.exit(f"stack.py: {e}")
    port = listening.getsockname()[1]
    prepare_nginx(prefix, port, location, upstream, args.access_log, args.keepalive)
    with open(os.path.join(prefix, "port.tmp"), "w") as f:
        f.write(f"{port}\n")
    os.rename(os.path.join(prefix, "port.tmp"), os.path.join(prefix, "port"))
    os.set_inheritable(listening.fileno(), True)
    os.execvpe("nginx", nginx_argv(prefix), inherit_env(listening.fileno()))


if __name__ == "__main__":
    main(sys.argv[1:])
