"""Shared parts of bench/run and bench/profile: builds and /proc readings.

nginx and the responders are started through scripts/lib/stack.py (the test stack, re-exported here as
`stack`); everything started is stopped when the script exits, however it exits (normal end, an exception,
Ctrl-C or SIGTERM). Traffic goes to 127.0.0.1 only.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
import stack  # noqa: E402
BENCH = os.path.join(ROOT, "bench")
# Own scratch paths: no fight over the shared .build lock (both match the `.build-*/` rule in .gitignore).
SCRATCH = os.path.join(ROOT, ".build-bench")
SCRATCH_STATIC = os.path.join(ROOT, ".build-bench-static")
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The headers a browser click carries, so the bot check and the event line do their real work.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
ACCEPT_LANGUAGE = "de-DE,de;q=0.9,en;q=0.8"

WELCOME_TOML = 'name = "Welcome page"\nurl = "https://www.example.com/welcome"\n'

# The welcome link as a campaign link (bench/profile's redirectd-utm cases): the same UTM parameters from [utm], or
# written into the URL, and forward_query = true, clicked with a query whose utm_source the file's must beat.
UTM_TOML = ('url = "https://www.example.com/welcome"\nforward_query = true\n'
            '[utm]\nsource = "newsletter"\nmedium = "email"\ncampaign = "spring"\n')
UTM_INLINE_TOML = ('url = "https://www.example.com/welcome?utm_source=newsletter&utm_medium=email&utm_campaign=spring"\n'
                   'forward_query = true\n')
UTM_QUERY = "utm_source=x&ref=qr"
UTM_TARGET = "https://www.example.com/welcome?utm_source=newsletter&utm_medium=email&utm_campaign=spring&ref=qr"

# The click of the rules benchmarks (bench/profile --rules, bench/run --rules): the 149-byte browser agent that
# bench/bot-matcher times (an iPad's Edge, from fake-useragent's browsers), longer than USER_AGENT above, so the
# bot check and the device classification read a real agent's length.
RULES_USER_AGENT = ("Mozilla/5.0 (iPad; CPU OS 18_3_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    "EdgiOS/134.0.3124.95 Version/18.0 Mobile/15E148 Safari/604.1")

# A link without rules, and the same link with one rule of each condition type and a 50/50 split. The click
# above (iOS, a tablet, first choice German, not a bot, no query, from 127.0.0.1) matches none of the rules and
# falls through to the split, so every rule is tried on every click. The countries are ones the bench database
# does not give 127.0.0.1 (bench/profile --rules checks the event's country against them).
PLAIN_TOML = 'url = "https://shop.example.com/sale"\n'
RULES_COUNTRIES = ("DE", "AT", "CH")
RULES_TOML = """url = "https://shop.example.com/sale"
[[rules]]
name = "android"
device = ["android"]
url = "https://play.google.com/store/apps/details?id=com.example.shop"
[[rules]]
name = "phones"
form = ["mobile"]
url = "https://shop.example.com/mobile/sale"
[[rules]]
name = "french"
language = ["fr"]
url = "https://shop.example.com/fr/sale"
[[rules]]
name = "dach"
country = [%s]
url = "https://shop.example.com/de/sale"
[[rules]]
name = "previews"
bot = true
url = "https://shop.example.com/preview"
[[rules]]
name = "launch"
query = { utm_content = "b" }
url = "https://shop.example.com/launch"
[[rules]]
name = "last-year"
from = 2025-03-01T00:00:00Z
until = 2025-03-08T00:00:00Z
url = "https://shop.example.com/old"
[[variants]]
name = "a"
weight = 50
url = "https://shop.example.com/sale?v=a"
[[variants]]
name = "b"
weight = 50
url = "https://shop.example.com/sale?v=b"
""" % ", ".join(f'"{c}"' for c in RULES_COUNTRIES)
RULES_TARGETS = ("https://shop.example.com/sale?v=a", "https://shop.example.com/sale?v=b")
PLAIN_TARGET = "https://shop.example.com/sale"

# bench/geoip/run's database: 500,000 random networks (about 9 MB, GeoLite2-Country's size), cached under .build.
GEOIP_NETWORKS = 500_000
GEOIP_CACHE = os.path.join(ROOT, ".build", "geoip-bench")


log = stack.log


def run(argv, **kwargs):
    log("+ " + " ".join(argv))
    subprocess.run(argv, check=True, **kwargs)


def install_tools():
    """The Debian packages the bench needs beyond the project's own (scripts/install-deps)."""
    run([os.path.join(ROOT, "scripts", "install-deps")])
    wanted = {"wrk": "wrk", "valgrind": "valgrind", "strace": "strace", "cc": "gcc", "perf": "linux-perf",
              "/usr/bin/time": "time"}
    missing = sorted({pkg for tool, pkg in wanted.items() if shutil.which(tool) is None})
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        run(sudo + ["apt-get", "update", "-qq"])
        run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def build(static=True, redirectd_only=False):
    """Release binaries in the bench's own scratch paths, and the C baselines (with `redirectd_only`, the FastCGI
    redirectd alone). Returns their paths."""
    binaries = {}
    for product in ("redirectd",) if redirectd_only else ("redirectd", "redirectd-cgi"):
        run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--product", product], cwd=ROOT)
        binaries[product] = os.path.join(SCRATCH, "release", product)
    if redirectd_only:
        return binaries
    if static:
        # The CGI responder as deployed (scripts/build-cgi): one static executable, libfcgi.a included.
        try:
            run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH_STATIC, "--static-swift-stdlib",
                 "-Xswiftc", "-static-executable", "--product", "redirectd-cgi"], cwd=ROOT)
            binaries["redirectd-static"] = os.path.join(SCRATCH_STATIC, "release", "redirectd-cgi")
        except subprocess.CalledProcessError:
            log("bench: the -static-executable build failed; CGI is measured with the dynamic build only")
    cdir = os.path.join(SCRATCH, "c")
    os.makedirs(cdir, exist_ok=True)
    binaries["c-responder"] = os.path.join(cdir, "c-responder")
    binaries["c-cgi"] = os.path.join(cdir, "c-cgi")
    binaries["c-ceiling"] = os.path.join(cdir, "c-ceiling")
    run(["cc", "-O2", "-o", binaries["c-responder"], os.path.join(BENCH, "c-responder.c"), "-lfcgi", "-lpthread"])
    run(["cc", "-O2", "-o", binaries["c-ceiling"], os.path.join(BENCH, "c-ceiling.c"), "-lfcgi", "-lpthread"])
    run(["cc", "-O2", "-o", binaries["c-cgi"], os.path.join(BENCH, "c-cgi.c")])
    return binaries


def existing_binaries():
    """The binaries of an earlier build (for --no-build)."""
    found = {
        "redirectd": os.path.join(SCRATCH, "release", "redirectd"),
        "redirectd-cgi": os.path.join(SCRATCH, "release", "redirectd-cgi"),
        "redirectd-static": os.path.join(SCRATCH_STATIC, "release", "redirectd-cgi"),
        "c-responder": os.path.join(SCRATCH, "c", "c-responder"),
        "c-cgi": os.path.join(SCRATCH, "c", "c-cgi"),
        "c-ceiling": os.path.join(SCRATCH, "c", "c-ceiling"),
    }
    return {name: path for name, path in found.items() if os.path.exists(path)}


def geoip_database(networks=GEOIP_NETWORKS):
    """bench/geoip/run's country database (the same file, made the same way when it is missing): its path."""
    database = os.path.join(GEOIP_CACHE, f"random-{networks}.mmdb")
    sample = os.path.join(GEOIP_CACHE, f"random-{networks}.sample")
    if not all(os.path.exists(p) and os.path.getsize(p) > 0 for p in (database, sample)):
        os.makedirs(GEOIP_CACHE, exist_ok=True)
        python = subprocess.run([os.path.join(ROOT, "scripts", "test-python-env")], check=True, capture_output=True,
                                text=True).stdout.strip()
        log(f"bench: making {database} ({networks} networks) with mmdb-writer (a minute or two)")
        run([python, os.path.join(ROOT, "Tests", "CountryLookupTests", "Resources", "make_country_db.py"),
             database + ".tmp", "--random", str(networks), "--seed", "1", "--sample", sample])
        os.replace(database + ".tmp", database)
    return database


def link_directory(name, text):
    """A redirects directory under the scratch path with one file, `sale.toml`, holding `text`."""
    directory = os.path.join(SCRATCH, "data", name)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "sale.toml")
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as f:
            f.write(text)
    return directory


def anonymous_kib(pid):
    """Anonymous resident memory of a process (smaps_rollup `Anonymous:`), in KiB."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Anonymous:"):
                return int(line.split()[1])
    raise RuntimeError(f"no Anonymous: in /proc/{pid}/smaps_rollup")


def many_redirects(count):
    """A redirects directory with `count` files r000000.toml …, kept in the scratch path between runs."""
    directory = os.path.join(SCRATCH, "data", f"redirects-{count}")
    marker = os.path.join(directory, ".complete")
    if not os.path.exists(marker):
        log(f"bench: writing {count} redirect files to {directory}")
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for i in range(count):
            with open(os.path.join(directory, f"r{i:06d}.toml"), "w") as f:
                f.write(f'name = "Landing {i}"\nurl = "https://www.example.com/landing/{i}"\n')
        open(marker, "w").close()
    return directory


# --- /proc readings -------------------------------------------------------------------------------------

def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def cpu_seconds(pids, include_children=False):
    """utime+stime (and, for process trees that fork CGI children, their reaped children's time)."""
    total = 0
    for pid in pids:
        try:
            f = stat_fields(pid)
        except (OSError, ValueError):
            continue
        ticks = int(f[11]) + int(f[12])
        if include_children:
            ticks += int(f[13]) + int(f[14])
        total += ticks
    return total / CLK_TCK


class TaskClock:
    """CPU time of processes and of every process they fork from now on (perf stat's task clock)."""

    def __init__(self, pids):
        self.out = tempfile.mktemp(prefix="redirectd-bench-perf-")
        self.process = subprocess.Popen(
            ["perf", "stat", "-e", "task-clock", "-x", ",", "-o", self.out, "-p", ",".join(map(str, pids))],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.2)

    def stop(self):
        """Seconds of CPU counted, or None if perf counted nothing usable."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        text = ""
        try:
            with open(self.out) as f:
                text = f.read()
        except OSError:
            pass
        finally:
            if os.path.exists(self.out):
                os.unlink(self.out)
        for line in text.splitlines():
            parts = line.strip().split(",")
            if len(parts) > 2 and parts[2] == "task-clock":
                try:
                    return float(parts[0]) / 1000
                except ValueError:
                    break
        log(f"bench: perf stat gave no task clock: {text.strip()[-300:]}")
        return None


def peak_rss_kib(pids):
    peak = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
    return peak


def command_name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def process_tree(root_pid):
    """root_pid and all its descendants now."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(stat_fields(entry)[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    result, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        result.append(pid)
        todo.extend(children.get(pid, []))
    return result


def machine():
    model, cores = "unknown", os.cpu_count()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu_model": model, "cores": cores, "kernel": os.uname().release}


def load_average():
    return list(os.getloadavg())


def spool_lines(directory):
    """Lines in all spool files under `directory` (current/ and ready/). The responder's sealer may move a file
    from current/ to ready/ while they are counted: a file is counted once by its inode, and a count that loses a
    file on the way is taken again."""
    for _ in range(10):
        seen, total = set(), 0
        try:
            for sub in ("current", "ready"):
                d = os.path.join(directory, sub)
                if not os.path.isdir(d):
                    continue
                for name in os.listdir(d):
                    with open(os.path.join(d, name), "rb") as f:
                        inode = os.fstat(f.fileno()).st_ino
                        if inode in seen:
                            continue
                        seen.add(inode)
                        while True:
                            block = f.read(1 << 20)
                            if not block:
                                break
                            total += block.count(b"\n")
            return total
        except FileNotFoundError:
            continue
    raise RuntimeError(f"{directory}: spool files kept moving while they were counted")


def dump_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
