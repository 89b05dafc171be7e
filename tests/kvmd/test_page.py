"""kvmd's own web GPIO menu (web/share/js/kvm/gpio.js in headless Chromium) for overrides kvmtool generates:
the words, dots and buttons a user sees, and what a click sends to kvmd.

Each config is turned into an override by the built kvmtool (`kvmtool-cli gpio generate`, from
KVMTOOL_BIN_DIR, default artifacts/linux-x64), read by kvmd's own config loader and UserGpio into the model
kvmd's API hands the page, and shown with page.py. KVMTOOL_UPDATE_DOCS=1 writes the example's menu to
docs/kvmd-gpio-menu.png.
"""

import html.parser
import os
import re
import shutil
import struct
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvmd_env  # noqa: E402  pylint: disable=wrong-import-position
import page  # noqa: E402  pylint: disable=wrong-import-position

REPO = kvmd_env.REPO
BIN_DIR = kvmd_env.BIN_DIR
GOLDEN = os.path.join(REPO, "tests", "KvmTools.Tests", "Kvmd", "Golden")
DOCS_PNG = os.path.join(REPO, "docs", "kvmd-gpio-menu.png")
MAIN = "v2-hdmiusb-rpi4.yaml"


def _visible(text: str) -> str:
    """Text as a browser lays it out in kvmd's menu (white-space: nowrap): runs of white space become one."""
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip()


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(markup: str) -> str:
    """The words of an HTML fragment: kvmd puts a label's text into the page as HTML, unescaped."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return _visible("".join(parser.parts))


def _kvmd_confirm_text() -> str:
    """The question kvmd's gpio.js asks before a confirm button acts, read from kvmd's own source."""
    with open(os.path.join(kvmd_env.source(), "web", "share", "js", "kvm", "gpio.js"), encoding="utf-8") as f:
        found = re.search(r"item\.confirm \? tools\.escape\(\"([^\"]+)\"\)", f.read())
    if found is None:
        raise AssertionError("kvmd's gpio.js no longer says how it asks for confirmation")
    return found.group(1)


def _why(texts) -> str:
    """A hint for a text that differs only because of how kvmd's page escapes it."""
    if any("\ufffd" in t for t in texts):
        return ("\n  (U+FFFD: kvmd's tools.escape() writes a character outside the BMP as two lone-surrogate"
                " references, which HTML shows as two U+FFFD; a button's text cannot hold such characters)")
    return ""


def _png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


class _Shared:
    """One browser and one generated model per config for the whole module: Chromium takes a second to start."""

    browser: page.Browser | None = None
    failure: BaseException | None = None
    work: str | None = None
    models: dict[str, tuple[dict, dict]] = {}


def _kvmtool() -> str:
    path = os.path.join(BIN_DIR, "kvmtool-cli")
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest(f"the built kvmtool is not at {path} (build it, or set KVMTOOL_BIN_DIR)")
    return path


def _browser() -> page.Browser:
    if _Shared.failure is not None:
        raise _Shared.failure
    if _Shared.browser is None:
        try:
            _Shared.browser = page.Browser().__enter__()
        except kvmd_env.Unavailable as ex:
            _Shared.failure = unittest.SkipTest(str(ex))
            raise _Shared.failure from ex
        except Exception as ex:
            _Shared.failure = ex
            raise
    return _Shared.browser


def _model(config: str) -> tuple[dict, dict]:
    """kvmd's model of the override kvmtool generates from `config`, and the config itself."""
    if config not in _Shared.models:
        _kvmtool()
        if _Shared.work is None:
            _Shared.work = tempfile.mkdtemp(prefix="kvmd-page-")
        override_dir = os.path.join(_Shared.work, f"override.d-{len(_Shared.models)}")
        os.mkdir(override_dir)
        kvmd_env.generate(config, override_dir)
        gpio = kvmd_env.user_gpio(kvmd_env.load_config(kvmd_env.main_config(MAIN), override_dir))
        # What get_state() hands the page as its "model", without running the indicators' commands.
        model = {"scheme": gpio._UserGpio__scheme, "view": gpio._UserGpio__view}  # pylint: disable=protected-access
        with open(config, encoding="utf-8") as f:
            _Shared.models[config] = (model, yaml.safe_load(f))
    return _Shared.models[config]


def tearDownModule() -> None:  # pylint: disable=invalid-name
    if _Shared.browser is not None:
        _Shared.browser.close()
        _Shared.browser = None
    if _Shared.work is not None:
        shutil.rmtree(_Shared.work, ignore_errors=True)
        _Shared.work = None


def _expected_cell(item: dict, scheme: dict) -> tuple[str, str | None, str]:
    """(kind, channel, visible text) a model item should render as."""
    if item["type"] == "label":
        text = _html_text(item["text"])
        return ("label" if text else "empty", None, text)
    if item["type"] == "input":
        return ("led", item["channel"], "")
    out = scheme["outputs"][item["channel"]]
    text = _visible(("\u2022 " if item["hide"] else "") + item["text"])
    return ("button" if out["pulse"]["delay"] else "switch", item["channel"], text)


class _MenuTest:
    CONFIG = ""

    def setUp(self) -> None:
        (self.model, self.kvmtool_yaml) = _model(self.CONFIG)
        self.browser = _browser()

    def show(self, lit=frozenset()) -> page.Menu:
        return self.browser.show(page.state_for(self.model, lit))

    def inputs(self) -> list[str]:
        return sorted(self.model["scheme"]["inputs"])

    def rows_text(self, rows: list[page.Row]) -> str:
        return "\n".join(
            f"  table {row.table}: " + " | ".join(f"{c.kind}:{c.text or c.channel or ''}" for c in row.cells)
            for row in rows)

    def test_texts_are_kvmds(self) -> None:
        """Every cell shows what kvmd's model says: label words, dots, button words, in kvmd's order."""
        menu = self.show()
        rows = menu.rows()
        expected = []
        table = 0
        for row in self.model["view"]["table"]:
            if row is None:
                table += 1
            else:
                expected.append((table, [_expected_cell(item, self.model["scheme"]) for item in row]))
        seen = [(row.table, [(c.kind, c.channel, c.text) for c in row.cells]) for row in rows]
        self.assertEqual(seen, expected, f"the menu as rendered:\n{self.rows_text(rows)}"
                         + _why(c.text for row in rows for c in row.cells))

        title = self.model["view"]["header"]["title"]
        self.assertEqual(menu.title(), _visible(" ".join(_html_text(i["text"]) for i in title if i["type"] == "label")))

    def test_texts_are_kvmtool_yamls(self) -> None:
        """What the user wrote in kvmtool.yaml is what the menu shows: its title, button labels, layout labels."""
        menu = self.show()
        rows = menu.rows()
        kvmd = self.kvmtool_yaml.get("kvmd") or {}
        checked = 0
        if "title" in kvmd:
            self.assertEqual(menu.title(), _visible(kvmd["title"]))
            checked += 1
        buttons = [c.text for row in rows for c in row.cells if c.kind == "button"]
        labels = [c.text for row in rows for c in row.cells if c.kind == "label"]
        for (name, button) in (kvmd.get("buttons") or {}).items():
            if button.get("label"):
                self.assertIn(_visible(button["label"]), buttons, f"button {name}'s label" + _why(buttons))
                checked += 1
        for row in kvmd.get("layout") or []:
            for cell in row:
                if cell.startswith("#") and cell[1:].strip():
                    self.assertIn(_visible(cell[1:]), labels, f"layout label {cell!r}")
                    checked += 1
        self.assertGreater(checked, 0, f"{self.CONFIG} has no title, button label or layout label to look for")

    def test_dots_follow_state(self) -> None:
        """A dot is lit, in its colour, exactly when kvmd reports its input on."""
        inputs = self.inputs()
        self.assertTrue(inputs, "the config has no indicator to test")
        colours = {
            item["channel"]: item["color"]
            for row in self.model["view"]["table"] if row for item in row if item["type"] == "input"
        }
        for lit in [set(), set(inputs[::2]), set(inputs[1::2]), set(inputs)]:
            with self.subTest(lit=sorted(lit)):
                leds = self.show(lit).cells("led")
                self.assertEqual(sorted({c.channel for c in leds}), sorted(colours))
                for led in leds:
                    self.assertEqual(led.lit, led.channel in lit, f"dot {led.channel} in row {led.row}")
                    self.assertEqual(led.colour, colours[led.channel])

    def test_clicks_reach_kvmd(self) -> None:
        """A confirm button asks kvmd's question and POSTs only after OK (nothing after Cancel); others POST at once."""
        question = _kvmd_confirm_text()
        menu = self.show()
        confirm = {
            item["channel"]: item["confirm"]
            for row in self.model["view"]["table"] if row for item in row if item["type"] == "output"
        }
        buttons = menu.cells("button")
        self.assertTrue(buttons, "the menu has no button")
        pulse = lambda ch: [page.Post("/api/gpio/pulse", {"channel": ch})]  # noqa: E731
        cancelled = False
        for button in buttons:
            with self.subTest(button=button.text, row=button.row):
                ch = button.channel
                if confirm[ch]:
                    if not cancelled:
                        press = menu.press(button, answer=False)
                        self.assertEqual(press.dialog, question)
                        self.assertEqual(press.posted, [], "Cancel must not reach kvmd")
                        cancelled = True
                    press = menu.press(button, answer=True)
                    self.assertEqual(press.dialog, question)
                    self.assertEqual(press.posted_before_answer, [], "nothing may reach kvmd before OK")
                    self.assertEqual(press.posted, pulse(ch))
                else:
                    press = menu.press(button, answer=None)
                    self.assertIsNone(press.dialog)
                    self.assertEqual(press.posted, pulse(ch))

    def test_every_dot_has_words(self) -> None:
        """A dot alone says nothing: its row must have a label a user can read."""
        rows = self.show().rows()
        mute = [
            row for row in rows
            if any(c.kind == "led" for c in row.cells) and not any(c.kind == "label" and c.text for c in row.cells)
        ]
        if mute:
            self.fail(f"{len(mute)} of {len(rows)} rows have a dot and no words:\n{self.rows_text(mute)}"
                      f"\nthe menu:\n{self.rows_text(rows)}")

    def test_buttons_in_one_column(self) -> None:
        """All buttons of the menu start at one x (within 2 px), as one column."""
        rows = self.show().rows()
        lefts = [(c.content.x, c.text) for row in rows for c in row.cells if c.kind == "button"]
        self.assertTrue(lefts, "the menu has no button")
        spread = max(x for (x, _) in lefts) - min(x for (x, _) in lefts)
        self.assertLessEqual(spread, 2, "buttons' left x: " + ", ".join(f"{t!r} at {x:g}" for (x, t) in lefts)
                             + f"\n{self.rows_text(rows)}")


class ExampleMenuTest(_MenuTest, unittest.TestCase):
    CONFIG = os.path.join(REPO, "kvmtool.yaml.example")

    def test_screenshot(self) -> None:
        """A picture of the example's opened menu (docs/kvmd-gpio-menu.png with KVMTOOL_UPDATE_DOCS=1)."""
        menu = self.show(set(self.inputs()[::2]))
        if os.environ.get("KVMTOOL_UPDATE_DOCS") == "1":
            path = DOCS_PNG
            os.makedirs(os.path.dirname(path), exist_ok=True)
        else:
            path = os.path.join(_Shared.work, "kvmd-gpio-menu.png")
        menu.screenshot(path)
        (width, height) = _png_size(path)
        rows = menu.rows()
        right = max(c.box.x + c.box.width for row in rows for c in row.cells)
        left = min(c.box.x for row in rows for c in row.cells)
        bottom = max(c.box.y + c.box.height for row in rows for c in row.cells)
        self.assertGreaterEqual(width, right - left, f"{path} does not hold the whole menu")
        self.assertGreaterEqual(height, bottom - rows[0].cells[0].box.y, f"{path} does not hold the whole menu")
        print(f"\n  screenshot: {path} ({width}x{height})", end=" ")


class FullMenuTest(_MenuTest, unittest.TestCase):
    CONFIG = os.path.join(GOLDEN, "full.kvmtool.yaml")


class LayoutMenuTest(_MenuTest, unittest.TestCase):
    CONFIG = os.path.join(GOLDEN, "layout.kvmtool.yaml")

    def test_buttons_in_one_column(self) -> None:
        """A layout of the user's own is shown as written: its separator starts a new table, as kvmd does."""
        rows = self.show().rows()
        self.assertEqual([0, 1], sorted({row.table for row in rows}), self.rows_text(rows))
        self.assertEqual(["button", "button"], [c.kind for row in rows for c in row.cells if c.kind == "button"])


if __name__ == "__main__":
    unittest.main()
