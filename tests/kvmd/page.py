"""kvmd's own web GPIO menu, rendered in headless Chromium for a given model and state: what a user sees.

A local HTTP server (127.0.0.1, random port) serves kvmd's web/share/ as it is (ES modules need http://) and
one page of this module's: kvmd's stylesheet links and its #gpio-dropdown markup, both cut at run time out
of kvmd's web/kvm/index.html, and a module script that imports kvmd's real vars.js, bb.js, wm.js and
kvm/gpio.js and calls Gpio.setState() with the model and state kvmd's API would send. Only what needs the
rest of kvmd stands in: its back end (the page's real POSTs, api/gpio/pulse?channel=..., reach this server,
which records them and answers 200 as kvmd would), its macro recorder (gpio.js tells it of clicks) and three
items of its System menu that gpio.js shows or hides.

    with Browser() as browser:
        menu = browser.show({"model": model, "state": state})   # opens the menu as a click would
        menu.rows()                     # [Row(table, cells=[Cell(kind, text, lit, colour, box, ...)])]
        menu.press(menu.rows()[0].cells[2], answer=True)   # Press(dialog, posted_before_answer, posted)
        menu.screenshot("menu.png")

Needs Debian's chromium, chromium-driver and python3-selenium (Unavailable says so when they are missing).
"""

import base64
import dataclasses
import http.server
import json
import mimetypes
import os
import re
import shutil
import tempfile
import threading
import time
import urllib.parse

import kvmd_env

DEBIAN_PACKAGES = "chromium chromium-driver python3-selenium"
PAGE = "/kvm/kvmtool-gpio-menu.html"
# Every wait is bounded by this (seconds): page load, scripts, the browser's own start.
TIMEOUT = 15.0


class Unavailable(kvmd_env.Unavailable):
    """Chromium, its driver or selenium is missing: the page tests cannot run."""


@dataclasses.dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclasses.dataclass(frozen=True)
class Cell:
    row: int            # the row's index over the whole menu (separators do not count)
    col: int
    kind: str           # "label", "led", "button", "switch" or "empty" (nothing visible in it)
    text: str           # the cell's innerText, stripped
    lit: bool | None    # a led: has led-<colour> and not led-gray
    colour: str | None  # a led: the colour it lights with
    channel: str | None  # a led's or a button's GPIO channel
    box: Box            # the cell's <td>
    content: Box | None  # what is in it: the led's <img>, the <button>, the label's <span>


@dataclasses.dataclass(frozen=True)
class Row:
    table: int          # kvmd starts a new <table> after every separator ([] in the view)
    cells: list[Cell]


@dataclasses.dataclass(frozen=True)
class Post:
    path: str           # e.g. "/api/gpio/pulse"
    params: dict        # the query, e.g. {"channel": "kvmtool_power"}


@dataclasses.dataclass(frozen=True)
class Press:
    dialog: str | None  # the confirm dialog's text, None when none appeared
    posted_before_answer: list[Post]  # what reached "kvmd" while the dialog was open (or, without one, at once)
    posted: list[Post]  # everything the click and the answer POSTed


def _kvmd_page_parts(web: str) -> tuple[list[str], str]:
    """kvmd's stylesheet links and its GPIO dropdown (<li id="gpio-dropdown">), from its web/kvm/index.html."""
    path = os.path.join(web, "kvm", "index.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    head = html.split("</head>", 1)[0]
    links = re.findall(r"<link\s+rel=\"stylesheet\"[^>]*>", head)
    dropdown = re.search(r"<li\b[^>]*\bid=\"gpio-dropdown\"[^>]*>.*?</li>", html, re.S)
    if not links or dropdown is None:
        raise Unavailable(f"{path} has no stylesheet links or no <li id=\"gpio-dropdown\">: kvmd's page changed")
    return (links, dropdown.group(0))


def _test_page(web: str) -> str:
    (links, dropdown) = _kvmd_page_parts(web)
    nl = "\n"
    # The module does what kvmd's kvm/main.js does for the GPIO menu: root prefix, browser CSS, window manager.
    # gpio.js also shows or hides three items of kvmd's System menu (by id), which this page stands in for.
    # kvmd's Recorder needs its macro-recorder window, which this page has not; gpio.js only tells it of
    # clicks, so a plain object takes them.
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kvmd GPIO menu</title>
{nl.join(links)}
<script>
window.kvmtoolErrors = [];
window.addEventListener("error", (ev) => window.kvmtoolErrors.push(String(ev.message || ev)));
window.addEventListener("unhandledrejection", (ev) => window.kvmtoolErrors.push(String(ev.reason)));
</script>
<script type="module">
import {{setRootPrefix}} from "../share/js/vars.js";
setRootPrefix("../");
import {{checkBrowser}} from "../share/js/bb.js";
import {{initWindowManager}} from "../share/js/wm.js";
import {{Gpio}} from "../share/js/kvm/gpio.js";
checkBrowser("kvm/x-desktop.css", "kvm/x-mobile.css");
initWindowManager();
const recorder = {{recordGpioPulseEvent() {{}}, recordGpioSwitchEvent() {{}}}};
window.kvmtoolPage = {{gpio: new Gpio(recorder)}};
</script>
</head>
<body class="body-no-select">
<ul id="navbar">
{dropdown}
</ul>
<div class="feature-disabled" id="v3-usb-breaker"></div>
<div class="feature-disabled" id="v4-locator"></div>
<div class="feature-disabled" id="system-tool-wol"></div>
</body>
</html>
"""


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, web: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.web = os.path.realpath(web)
        self.page = _test_page(self.web).encode("utf-8")
        self.lock = threading.Lock()
        self.posts: list[Post] = []
        self.missing: list[str] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html"}

    def log_message(self, format, *args) -> None:  # noqa: A002  pylint: disable=redefined-builtin
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        if path == PAGE:
            self._send(200, self.server.page, "text/html; charset=utf-8")
            return
        file = os.path.realpath(os.path.join(self.server.web, urllib.parse.unquote(path).lstrip("/")))
        if path.startswith("/share/") and file.startswith(self.server.web + os.sep) and os.path.isfile(file):
            ext = os.path.splitext(file)[1]
            content_type = self.TYPES.get(ext) or mimetypes.guess_type(file)[0] or "application/octet-stream"
            with open(file, "rb") as f:
                self._send(200, f.read(), content_type)
            return
        with self.server.lock:
            self.server.missing.append(path)
        self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        with self.server.lock:
            self.server.posts.append(Post(url.path, dict(urllib.parse.parse_qsl(url.query))))
        if url.path in ("/api/gpio/pulse", "/api/gpio/switch"):
            self._send(200, b'{"ok": true, "result": {}}', "application/json")
        else:
            self._send(404, b'{"ok": false, "result": {}}', "application/json")


def _wait(what: str, check, timeout: float = TIMEOUT, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(step)


_READ_MENU = """
const box = (el) => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
const rows = [];
document.querySelectorAll("#gpio-menu > table.kv").forEach((table, t) => {
    for (const tr of table.querySelectorAll(":scope > tbody > tr")) {
        const cells = [];
        for (const td of tr.querySelectorAll(":scope > td")) {
            const led = td.querySelector("img.__gpio-led");
            const button = td.querySelector("button.__gpio-button");
            const sw = td.querySelector("input.__gpio-switch");
            const label = td.querySelector("span.__gpio-label");
            const text = td.innerText.trim();
            let kind = "empty", content = null, lit = null, colour = null, channel = null;
            if (led) {
                kind = "led"; content = led;
                colour = led.getAttribute("data-gpio-color");
                lit = led.classList.contains("led-" + colour) && !led.classList.contains("led-gray");
                const cls = [...led.classList].find((c) => c.startsWith("__gpio-led-"));
                channel = cls ? cls.slice("__gpio-led-".length) : null;
            } else if (button) {
                kind = "button"; content = button; channel = button.getAttribute("data-gpio-channel");
            } else if (sw) {
                kind = "switch"; content = sw.parentElement; channel = sw.getAttribute("data-gpio-channel");
            } else if (label && text) {
                kind = "label"; content = label;
            }
            cells.push({kind, text, lit, colour, channel, box: box(td), content: content && box(content)});
        }
        rows.push({table: t, cells});
    }
});
return rows;
"""

_CELL_ELEMENT = """
const [row, col] = arguments;
const trs = [];
document.querySelectorAll("#gpio-menu > table.kv").forEach(
    (table) => trs.push(...table.querySelectorAll(":scope > tbody > tr")));
const td = trs[row].querySelectorAll(":scope > td")[col];
return td.querySelector("button.__gpio-button, input.__gpio-switch + label");
"""

_DIALOG = """
const win = [...document.querySelectorAll(".modal .modal-window")].find((el) => el.offsetParent !== null);
return win ? win.querySelector(".modal-content").innerText.trim() : null;
"""


class Menu:
    """kvmd's GPIO menu as it stands on the page after setState(), opened."""

    def __init__(self, browser: "Browser") -> None:
        self.__browser = browser
        self.__driver = browser.driver

    def title(self) -> str:
        return self.__driver.execute_script("return document.getElementById('gpio-menu-button').innerText.trim();")

    def is_open(self) -> bool:
        return self.__driver.execute_script("return document.getElementById('gpio-menu').offsetParent !== null;")

    def rows(self) -> list[Row]:
        raw = self.__driver.execute_script(_READ_MENU)
        rows = []
        for (r, row) in enumerate(raw):
            cells = []
            for (c, cell) in enumerate(row["cells"]):
                content = cell.pop("content")
                cells.append(Cell(row=r, col=c, box=Box(*cell.pop("box")),
                                  content=(Box(*content) if content else None), **cell))
            rows.append(Row(table=row["table"], cells=cells))
        return rows

    def cells(self, kind: str) -> list[Cell]:
        return [cell for row in self.rows() for cell in row.cells if cell.kind == kind]

    def dialog(self) -> str | None:
        return self.__driver.execute_script(_DIALOG)

    def press(self, cell: Cell, answer: bool | None = True, settle: float = 0.3) -> Press:
        """Clicks the cell's button as a user would. If kvmd asks first, `answer` clicks OK (True), Cancel
        (False) or leaves the dialog open (None). `settle` is how long to watch for a POST that should not come.
        """
        from selenium.webdriver.common.by import By  # pylint: disable=import-outside-toplevel
        server = self.__browser.server
        with server.lock:
            start = len(server.posts)

        def posted() -> list[Post]:
            with server.lock:
                return list(server.posts[start:])

        self.__driver.execute_script(_CELL_ELEMENT, cell.row, cell.col).click()
        _wait("a confirm dialog or a POST after the click", lambda: self.dialog() is not None or posted(), 5.0)
        time.sleep(settle)
        dialog = self.dialog()
        before = posted()
        if dialog is not None and answer is not None:
            selector = "[data-x-wm-modal-ok]" if answer else "[data-x-wm-modal-cancel]"
            found = self.__driver.find_elements(By.CSS_SELECTOR, f".modal {selector}")
            [el for el in found if el.is_displayed()][0].click()
            _wait("the dialog to close", lambda: self.dialog() is None, 5.0)
            if answer:
                _wait("a POST after OK", lambda: len(posted()) > len(before), 5.0)
            time.sleep(settle)
        return Press(dialog=dialog, posted_before_answer=before, posted=posted())

    def screenshot(self, path: str, margin: int = 8) -> None:
        """A PNG of the opened menu and its navbar button, cropped to them."""
        (x, y, right, bottom) = self.__driver.execute_script("""
            const a = document.getElementById("gpio-menu-button").getBoundingClientRect();
            const b = document.getElementById("gpio-menu").getBoundingClientRect();
            return [Math.min(a.left, b.left), Math.min(a.top, b.top),
                    Math.max(a.right, b.right), Math.max(a.bottom, b.bottom)];
        """)
        x = max(0, x - margin)
        y = max(0, y - margin)
        clip = {"x": x, "y": y, "width": right + margin - x, "height": bottom + margin - y, "scale": 1}
        shot = self.__driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "clip": clip})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))


class Browser:
    """Headless Chromium and the HTTP server that feeds it kvmd's web files; both stop on close()."""

    def __init__(self, width: int = 1280, height: int = 800) -> None:
        self.__size = (width, height)
        self.server: _Server | None = None
        self.driver = None
        self.__thread: threading.Thread | None = None
        self.__profile: str | None = None

    def __enter__(self) -> "Browser":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def start(self) -> None:
        kvmd_env.load()
        web = os.path.join(kvmd_env.source(), "web")
        try:
            # pylint: disable=import-outside-toplevel
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
            from selenium.webdriver.remote.remote_connection import RemoteConnection
        except ImportError as ex:
            raise Unavailable(f"selenium is missing: {ex} (Debian: apt-get install {DEBIAN_PACKAGES})") from ex
        chromium = os.environ.get("CHROMIUM_BIN") or next(
            (p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium")) if p and os.access(p, os.X_OK)), None)
        driver = os.environ.get("CHROMEDRIVER_BIN") or shutil.which("chromedriver")
        if not chromium or not driver:
            raise Unavailable(f"chromium or chromedriver is missing (Debian: apt-get install {DEBIAN_PACKAGES})")

        self.server = _Server(web)
        self.__thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.__thread.start()

        # Without a bound selenium waits for chromedriver's answers forever.
        RemoteConnection.set_timeout(TIMEOUT * 2)
        self.__profile = tempfile.mkdtemp(prefix="kvmd-page-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for arg in [
            "--headless=new",
            "--no-sandbox",  # the sandbox refuses to run as root (CI is root)
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-proxy-server",  # the only server is on 127.0.0.1
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--window-size={self.__size[0]},{self.__size[1]}",
            f"--user-data-dir={self.__profile}",
        ]:
            options.add_argument(arg)
        options.ignore_local_proxy_environment_variables()
        self.driver = webdriver.Chrome(service=Service(executable_path=driver), options=options)
        self.driver.set_page_load_timeout(TIMEOUT)
        self.driver.set_script_timeout(TIMEOUT)

    def close(self) -> None:
        if self.driver is not None:
            try:
                self.driver.quit()
            finally:
                self.driver = None
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            if self.__thread is not None:
                self.__thread.join(TIMEOUT)
            self.server = None
        if self.__profile is not None:
            shutil.rmtree(self.__profile, ignore_errors=True)
            self.__profile = None

    def posts(self) -> list[Post]:
        with self.server.lock:
            return list(self.server.posts)

    def show(self, state: dict) -> Menu:
        """Loads the page afresh, hands `state` ({"model": ..., "state": ...}, as kvmd's API sends it) to
        kvmd's Gpio.setState() and opens the GPIO menu by clicking its navbar button."""
        from selenium.webdriver.common.by import By  # pylint: disable=import-outside-toplevel
        with self.server.lock:
            self.server.posts.clear()
            self.server.missing.clear()
        self.driver.get(f"http://127.0.0.1:{self.server.server_address[1]}{PAGE}")

        def ready() -> bool:
            return self.driver.execute_script(
                "return !!window.kvmtoolPage && document.readyState === 'complete'"
                " && document.fonts.status === 'loaded';")
        try:
            _wait("kvmd's gpio.js to load", ready)
        except TimeoutError as ex:
            errors = self.driver.execute_script("return window.kvmtoolErrors || [];")
            raise TimeoutError(f"{ex}; page errors: {errors}; not found: {self.server.missing}") from ex
        # A round trip through JSON: the page gets plain JSON, as from kvmd's API.
        self.driver.execute_script("window.kvmtoolPage.gpio.setState(arguments[0]);", json.loads(json.dumps(state)))
        self.driver.find_element(By.ID, "gpio-menu-button").click()
        menu = Menu(self)
        _wait("the GPIO menu to open", menu.is_open, 5.0)
        errors = self.driver.execute_script("return window.kvmtoolErrors;")
        if errors:
            raise RuntimeError(f"kvmd's page reported errors: {errors}")
        return menu


def state_for(model: dict, lit: set[str] | frozenset[str] = frozenset()) -> dict:
    """What kvmd's API would send for `model` with every channel online and idle, and the inputs in `lit` on."""
    return {
        "model": model,
        "state": {
            "inputs": {ch: {"online": True, "state": ch in lit} for ch in model["scheme"]["inputs"]},
            "outputs": {ch: {"online": True, "state": False, "busy": False} for ch in model["scheme"]["outputs"]},
        },
    }
