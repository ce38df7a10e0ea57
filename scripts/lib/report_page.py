#!/usr/bin/env python3
"""The report page (`redirectctl report --out DIR`) as a visitor gets it: DIR served by a real nginx through the
product's own location (nginx/redirectd-report-location.conf, basic auth and all), opened in Debian's headless
chromium driven by Selenium through /usr/bin/chromedriver.

Used by the browser test (Tests/EndToEndTests/ReportPageBrowserTests.swift), bench/report-page and
scripts/report-screenshots. Runs in the tests' virtual environment (scripts/test-python-env), which has Selenium.

    report_page.py check DIR              load the page once; print JSON: timings, size, console errors, every
                                          request the page made, and the tables' figures (data-value)
    report_page.py tables FILE            the tables' figures of a page file, read without a browser (JSON)
    report_page.py bench DIR [--runs N]   load the page N times in a fresh tab each; print the load times
    report_page.py screenshot DIR --width W --height H --out PNG [--mobile]

Figures are printed as [scope, figure, key, col, value] rows, value the exact integer of data-value.
"""

import argparse
import base64
import html.parser
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack  # noqa: E402

ROOT = stack.ROOT
LOCATION = os.path.join(ROOT, "nginx", "redirectd-report-location.conf")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
USER, PASSWORD = "report", "s3cret-report"

# Every figure of the page, read from the DOM the browser built.
TABLES_JS = """
const rows = [];
for (const td of document.querySelectorAll('section[data-scope] table[data-figure] tr[data-key] td[data-col]')) {
  const tr = td.closest('tr'), table = td.closest('table'), section = td.closest('section[data-scope]');
  rows.push([section.dataset.scope, table.dataset.figure, tr.dataset.key, td.dataset.col,
             td.getAttribute('data-value')]);
}
return rows;
"""


class PageError(RuntimeError):
    pass


# --- serving ------------------------------------------------------------------------------------------------

def report_location(path, report_dir, password_file):
    """Writes the product's report location to `path` with its directory and password file set, as a site
    adjusts them; returns `path`."""
    with open(LOCATION) as f:
        text = f.read()
    settings = {"alias": report_dir.rstrip("/") + "/", "auth_basic_user_file": password_file}
    for name, value in settings.items():
        text, count = re.subn(rf"(\n\s*{name}\s+)\S+;", lambda m: f"{m.group(1)}{value};", text)
        if count != 1:
            raise PageError(f"{LOCATION} has no single `{name}` line to set")
    with open(path, "w") as f:
        f.write(text)
    return path


def password_file(path, user=USER, password=PASSWORD):
    """The password file as README.md says to make it: `openssl passwd -apr1`."""
    hashed = subprocess.run(["openssl", "passwd", "-apr1", password], check=True, capture_output=True,
                            text=True).stdout.strip()
    with open(path, "w") as f:
        f.write(f"{user}:{hashed}\n")
    os.chmod(path, 0o644)  # nginx's workers run as nobody when the master is root
    return path


def serve(st, report_dir):
    """nginx on a free loopback port serving `report_dir` at /report/ behind basic auth; returns the port."""
    os.chmod(report_dir, 0o755)
    conf_dir = st.path("report-conf")
    os.makedirs(conf_dir, exist_ok=True)
    location = report_location(os.path.join(conf_dir, "report-location.conf"), os.path.abspath(report_dir),
                               password_file(os.path.join(conf_dir, "htpasswd")))
    _, port = st.nginx(name="report-nginx", location=location)
    return port


def http_status(port, path, authorization=None):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Authorization": authorization} if authorization else {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, dict(r.getheaders()), body


def authorization(user=USER, password=PASSWORD):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- the browser --------------------------------------------------------------------------------------------

def browser(width=1280, height=900, mobile=False):
    """Headless chromium through /usr/bin/chromedriver. Selenium Manager never runs: the driver's path is given
    (Selenium then skips it) and SE_OFFLINE forbids it the network in any case."""
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--metrics-recording-only",
                     "--hide-scrollbars", f"--window-size={width},{height}"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": authorization()}})
    if mobile:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    return driver


def requested_urls(driver):
    """Every URL the browser asked for since the last call (CDP Network events from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def load(driver, url):
    """Opens `url` and returns once the load event has run: the navigation's timings and sizes."""
    driver.get(url)
    deadline = time.monotonic() + 30
    while True:
        timing = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return n && n.loadEventEnd > 0 ? n.toJSON() : null;")
        if timing:
            # A 401 or 404 page has a load event too.
            if timing.get("responseStatus") not in (None, 200):
                raise PageError(f"{url} answered {timing['responseStatus']}")
            return timing
        if time.monotonic() > deadline:
            raise PageError(f"no load event for {url} within 30 s")
        time.sleep(0.02)


def check(report_dir):
    """Everything the browser test asserts on, from one load of the page."""
    st = stack.Stack(prefix="redirectd-report-page-")
    try:
        port = serve(st, report_dir)
        origin = f"http://127.0.0.1:{port}"
        unauthenticated, _, _ = http_status(port, "/report/")
        wrong_password, _, _ = http_status(port, "/report/", authorization(USER, "wrong"))
        stray = sorted(name for name in os.listdir(report_dir) if name != "index.html")
        with open(os.path.join(report_dir, ".not-the-page"), "w") as f:
            f.write("x")
        try:
            other_file, _, _ = http_status(port, "/report/.not-the-page", authorization())
        finally:
            os.unlink(os.path.join(report_dir, ".not-the-page"))
        status, headers, body = http_status(port, "/report/", authorization())
        driver = browser()
        try:
            timing = load(driver, origin + "/report/")
            tables = driver.execute_script(TABLES_JS)
            resources = driver.execute_script(
                "return performance.getEntriesByType('resource').map(e => e.name);")
            console = driver.get_log("browser")
            requests = requested_urls(driver)
            title = driver.title
            width = driver.execute_script("return document.documentElement.scrollWidth;")
        finally:
            driver.quit()
    finally:
        st.stop_all()
    foreign = [u for u in requests + resources
               if urllib.parse.urlsplit(u)._replace(path="", query="", fragment="").geturl() != origin
               and not u.startswith("data:")]
    return {
        "origin": origin,
        "status": status,
        "content_type": headers.get("Content-Type"),
        "bytes": len(body),
        "unauthenticated_status": unauthenticated,
        "wrong_password_status": wrong_password,
        "other_file_status": other_file,
        "stray_files": stray,
        "title": title,
        "load_event_ms": round(timing["loadEventEnd"], 1),
        "dom_content_loaded_ms": round(timing["domContentLoadedEventEnd"], 1),
        "transfer_bytes": timing.get("transferSize"),
        "decoded_bytes": timing.get("decodedBodySize"),
        "scroll_width": width,
        "console": [{"level": e["level"], "message": e["message"]} for e in console],
        "console_errors": [e["message"] for e in console if e["level"] == "SEVERE"],
        "requests": requests,
        "resources": resources,
        "foreign_requests": foreign,
        "tables": [[s, f, k, c, int(v)] for s, f, k, c, v in tables],
    }


# --- the page without a browser ----------------------------------------------------------------------------

class _TableParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.scopes, self.figures, self.keys = [], [], []
        self.rows = []
        self.stack = []  # (tag, what it opened)

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if tag in ("tr", "td", "th"):
            # A row or cell ends where the next one starts, whether or not the page closed it.
            self._close_to({"tr": ("tr",), "td": ("td", "th"), "th": ("td", "th")}[tag], stop_at=("table", "tr"))
        a = dict(attrs)
        opened = None
        if tag == "section" and "data-scope" in a:
            self.scopes.append(a["data-scope"])
            opened = "scope"
        elif tag == "table" and "data-figure" in a:
            self.figures.append(a["data-figure"])
            opened = "figure"
        elif tag == "tr" and "data-key" in a:
            self.keys.append(a["data-key"])
            opened = "key"
        elif tag == "td" and "data-col" in a and self.scopes and self.figures and self.keys:
            self.rows.append([self.scopes[-1], self.figures[-1], self.keys[-1], a["data-col"],
                              int(a["data-value"])])
        self.stack.append((tag, opened))

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self.stack):
            self._close_to((tag,))

    def _close_to(self, tags, stop_at=()):
        """Pops open elements up to and including the innermost of `tags`, unless one of `stop_at` comes first."""
        for t, _ in reversed(self.stack):
            if t in tags:
                break
            if t in stop_at:
                return
        else:
            return
        while self.stack:
            t, opened = self.stack.pop()
            if opened == "scope":
                self.scopes.pop()
            elif opened == "figure":
                self.figures.pop()
            elif opened == "key":
                self.keys.pop()
            if t in tags:
                break


def tables(path):
    parser = _TableParser()
    with open(path, encoding="utf-8") as f:
        parser.feed(f.read())
    parser.close()
    return parser.rows


# --- benchmark and screenshots -----------------------------------------------------------------------------

def bench(report_dir, runs):
    """Load times of `runs` loads, each in a fresh tab (nothing cached), after one warm-up load."""
    st = stack.Stack(prefix="redirectd-report-bench-")
    try:
        port = serve(st, report_dir)
        driver = browser()
        try:
            url = f"http://127.0.0.1:{port}/report/"
            load(driver, url)
            loads, ready = [], []
            for _ in range(runs):
                driver.execute_cdp_cmd("Network.clearBrowserCache", {})
                driver.switch_to.new_window("tab")
                driver.execute_cdp_cmd("Network.enable", {})
                driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": authorization()}})
                timing = load(driver, url)
                loads.append(timing["loadEventEnd"])
                ready.append(timing["domContentLoadedEventEnd"])
                transfer = timing.get("transferSize")
                decoded = timing.get("decodedBodySize")
                driver.close()
                driver.switch_to.window(driver.window_handles[0])
            # The warm-up load and each timed one: the requests a load makes, and any that left the origin.
            everything = requested_urls(driver)
            requests = len(everything) / (runs + 1)
            foreign = [u for u in everything if not u.startswith(f"http://127.0.0.1:{port}/")]
        finally:
            driver.quit()
    finally:
        st.stop_all()
    return {"runs": runs, "load_event_ms_median": round(statistics.median(loads), 1),
            "load_event_ms_min": round(min(loads), 1), "load_event_ms_max": round(max(loads), 1),
            "dom_content_loaded_ms_median": round(statistics.median(ready), 1),
            "transfer_bytes": transfer, "decoded_bytes": decoded,
            "page_requests": requests, "foreign_requests": foreign}


def screenshot(report_dir, width, height, out, mobile):
    """A picture of the page's first `height` CSS pixels at `width`, one device pixel per CSS pixel."""
    st = stack.Stack(prefix="redirectd-report-shot-")
    try:
        port = serve(st, report_dir)
        driver = browser(width, height, mobile=mobile)
        try:
            load(driver, f"http://127.0.0.1:{port}/report/")
            if not mobile:
                driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                       {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        finally:
            driver.quit()
    finally:
        st.stop_all()
    with open(out, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def main(argv):
    ap = argparse.ArgumentParser(prog="report_page.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("dir")
    t = sub.add_parser("tables")
    t.add_argument("file")
    b = sub.add_parser("bench")
    b.add_argument("dir")
    b.add_argument("--runs", type=int, default=15)
    s = sub.add_parser("screenshot")
    s.add_argument("dir")
    s.add_argument("--width", type=int, required=True)
    s.add_argument("--height", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--mobile", action="store_true")
    args = ap.parse_args(argv)
    if args.command == "check":
        print(json.dumps(check(args.dir)))
    elif args.command == "tables":
        print(json.dumps(tables(args.file)))
    elif args.command == "bench":
        print(json.dumps(bench(args.dir, args.runs)))
    else:
        screenshot(args.dir, args.width, args.height, args.out, args.mobile)


if __name__ == "__main__":
    main(sys.argv[1:])
