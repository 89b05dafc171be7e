"""kvmd's real UserGpio, built from the override kvmtool generates, driving simulated LCUS relay boards.

Two LCUS boards sit on pseudo-terminals (reached through symlinks, as udev's /dev/serial/by-id links reach a
CH340): board A carries the relays 'lamp' and 'fan', board B the relay that presses a 3-port HDMI switch's
button. One kvmd session, in one asyncio run, does what PiKVM's web page does: connect (GET /api/gpio runs
every cmdret indicator), click each button (POST /api/gpio/pulse), poll again, then lose board A. The scenario
runs once, in setUpClass; each test checks one part of what it observed, so that one broken expectation does
not hide the others. kvmd's own log, captured from its loggers, is the oracle for what the journal shows.

Needs the built kvmtool ($KVMTOOL_BIN_DIR, default artifacts/linux-x64) and kvmd's source (see kvmd_env).
"""

import asyncio
import logging
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import termios
import time
import tty
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvmd_env  # noqa: E402  pylint: disable=wrong-import-position

BIN_DIR = kvmd_env.BIN_DIR
LAUNCHER = os.path.abspath(os.path.join(BIN_DIR, "kvmtool"))
CLI = os.path.abspath(os.path.join(BIN_DIR, "kvmtool-cli"))

# Every await on kvmd is bounded by this; the whole scenario by SCENARIO_TIMEOUT.
STEP_TIMEOUT = 15.0
SCENARIO_TIMEOUT = 50.0

# The channels' ids in kvmtool.yaml; kvmd's channel names are derived from them by the generator.
BUTTONS = {
    "lamp-pulse": "Lamp pulse", "lamp-on": "Lamp on", "lamp-off": "Lamp off", "hdmi-2": "HDMI 2", "hdmi-3": "HDMI 3",
}
INDICATORS = ("lamp-lit", "fan-lit", "hdmi-relay", "main-1", "main-2", "main-3")
BOARD_A_INDICATORS = ("lamp-lit", "fan-lit")

CMD_LOGGER = "kvmd.plugins.ugpio.cmd"
CMDRET_LOGGER = "kvmd.plugins.ugpio.cmdret"


def lcus(channel: int, on: bool) -> bytes:
    """An LCUS command: A0, channel, state, and the 8-bit sum of the three."""
    state = 1 if on else 0
    return bytes([0xA0, channel, state, (0xA0 + channel + state) & 0xFF])


PRESS = lcus(1, True) + lcus(1, False)

# Button, then the bytes each board must receive, then the indicators lit afterwards (all others off).
STEPS = (
    ("lamp-on", {"A": lcus(1, True), "B": b""}, {"lamp-lit", "main-1"}),
    ("lamp-off", {"A": lcus(1, False), "B": b""}, {"main-1"}),
    ("lamp-pulse", {"A": lcus(1, True) + lcus(1, False), "B": b""}, {"main-1"}),
    ("hdmi-2", {"A": b"", "B": PRESS}, {"main-2"}),
    ("hdmi-3", {"A": b"", "B": PRESS}, {"main-3"}),
    # From input 3 the button wraps round: 3 -> 1 -> 2.
    ("hdmi-2", {"A": b"", "B": PRESS * 2}, {"main-2"}),
)


def config_text(port_a: str, port_b: str) -> str:
    label = BUTTONS
    return f"""\
relays:
  lamp: {{port: {port_a}, channel: 1, channels: 2, pulse-ms: 50}}
  fan: {{port: {port_a}, channel: 2, channels: 2}}
  hdmi-button: {{port: {port_b}, channel: 1, channels: 2}}
switches:
  main: {{backend: relay-button, ports: 3, relay: hdmi-button, press-ms: 30, gap-ms: 30}}
kvmd:
  kvmtool-path: {LAUNCHER}
  buttons:
    lamp-pulse: {{relay: lamp, action: pulse, label: "{label['lamp-pulse']}"}}
    lamp-on: {{relay: lamp, action: "on", label: "{label['lamp-on']}"}}
    lamp-off: {{relay: lamp, action: "off", label: "{label['lamp-off']}"}}
    hdmi-2: {{switch: main, port: 2, label: "{label['hdmi-2']}"}}
    hdmi-3: {{switch: main, port: 3, label: "{label['hdmi-3']}"}}
  indicators:
    lamp-lit: {{relay: lamp, label: "Lamp"}}
    fan-lit: {{relay: fan, label: "Fan"}}
    hdmi-relay: {{relay: hdmi-button, label: "HDMI relay"}}
    main-1: {{switch: main, port: 1, label: "Input 1"}}
    main-2: {{switch: main, port: 2, label: "Input 2"}}
    main-3: {{switch: main, port: 3, label: "Input 3"}}
"""


class Board:
    """A simulated LCUS board on a CH340: a pty whose slave kvmtool opens (through a symlink); it never answers."""

    def __init__(self, link: str) -> None:
        self.master, self.slave = os.openpty()
        # Raw, at a speed other than the board's, so the check that kvmtool set 9600 8N1 means something.
        tty.setraw(self.slave)
        attrs = termios.tcgetattr(self.slave)
        attrs[4] = attrs[5] = termios.B38400
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        # The test keeps the slave open, so the master never sees a hang-up between kvmtool's opens.
        os.set_blocking(self.master, False)
        self.link = link
        os.symlink(os.ttyname(self.slave), link)

    def take(self, expect: int = 0) -> bytes:
        """Everything kvmtool wrote since the last call.

        The kernel hands a pty's bytes to the master side asynchronously: wait up to 2 s for the bytes expected,
        then until the line has been idle for 50 ms, so that bytes beyond those expected are seen too.
        """
        if self.master < 0:
            return b""
        data = b""
        until = time.monotonic() + 2.0
        while select.select([self.master], [], [], self._wait(len(data), expect, until))[0]:
            try:
                chunk = os.read(self.master, 4096)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            data += chunk
        return data

    @staticmethod
    def _wait(have: int, expect: int, until: float) -> float:
        return 0.05 if have >= expect else max(0.0, until - time.monotonic())

    def line(self) -> list:
        return termios.tcgetattr(self.slave)

    def unplug(self) -> None:
        """The board is gone: its port path disappears (the symlink, so no later pty can take its name)."""
        if os.path.lexists(self.link):
            os.unlink(self.link)
        for fd in (self.master, self.slave):
            if fd >= 0:
                os.close(fd)
        self.master = self.slave = -1


class Records(logging.Handler):
    """Keeps every record kvmd's loggers emit, while installed on the 'kvmd' logger."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.items: list = []
        self.logger = logging.getLogger("kvmd")
        self._saved = (self.logger.level, self.logger.propagate)
        # kvmd's root logger is at INFO (kvmd/apps/_logging.py): what reaches the journal.
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.items.append(record)

    def mark(self) -> int:
        return len(self.items)

    def since(self, mark: int) -> list:
        return list(self.items[mark:])

    def stop(self) -> None:
        self.logger.removeHandler(self)
        (self.logger.level, self.logger.propagate) = self._saved


def lines(records: list) -> list:
    """Records as kvmd's console formatter writes them to the journal."""
    return [f"{r.name:30.30} {r.levelname:>7} --- {r.getMessage()}" for r in records]


def journal(records: list) -> str:
    return "\n".join(lines(records)) or "(nothing)"


class KvmdDriversTest(unittest.TestCase):
    obs: dict = {}
    # A wrong indicator state shows every channel's.
    maxDiff = None

    # ----- the scenario -----

    @classmethod
    def setUpClass(cls) -> None:
        # Skipped test by test (in setUp), so that tests/kvmd/run.py counts them.
        cls.skip_reason = None
        if not (os.access(LAUNCHER, os.X_OK) and os.access(CLI, os.X_OK)):
            cls.skip_reason = f"skipped: no built kvmtool in {BIN_DIR} (set KVMTOOL_BIN_DIR)"
            return
        try:
            kvmd_env.load()
        except kvmd_env.Unavailable as ex:
            cls.skip_reason = f"skipped: {ex}"
            return
        cls.work = tempfile.mkdtemp(prefix="kvmtool-drivers-")
        cls.boards: dict = {}
        cls.records = None
        cls.saved_env = {k: os.environ.get(k) for k in ("KVMTOOL_CONFIG", "KVMTOOL_RUNTIME_DIR", "KVMTOOL_STATE_DIR")}
        try:
            cls._prepare()
            cls.records = Records()
            asyncio.run(asyncio.wait_for(cls._scenario(), SCENARIO_TIMEOUT))
        except BaseException:
            cls._cleanup()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.skip_reason is None:
            cls._cleanup()

    def setUp(self) -> None:
        if self.skip_reason:
            self.skipTest(self.skip_reason)

    @classmethod
    def _cleanup(cls) -> None:
        if cls.records is not None:
            cls.records.stop()
            cls.records = None
        for board in cls.boards.values():
            board.unplug()
        for (key, value) in cls.saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def _prepare(cls) -> None:
        for name in ("A", "B"):
            cls.boards[name] = Board(os.path.join(cls.work, f"tty-lcus-{name}"))
        config = cls.config_path = os.path.join(cls.work, "kvmtool.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(config_text(cls.boards["A"].link, cls.boards["B"].link))
        # kvmd's commands inherit its environment: kvmtool keeps its state here rather than in /run and /var/lib.
        # KVMTOOL_CONFIG stays unset, so the generated command lines must find this file by themselves.
        os.environ.pop("KVMTOOL_CONFIG", None)
        os.environ["KVMTOOL_RUNTIME_DIR"] = os.path.join(cls.work, "run")
        os.environ["KVMTOOL_STATE_DIR"] = os.path.join(cls.work, "state")
        override_dir = os.path.join(cls.work, "override.d")
        os.mkdir(override_dir)
        kvmd_env.generate(config, override_dir)
        cls.config = kvmd_env.load_config(kvmd_env.main_config("v2-hdmiusb-rpi4.yaml"), override_dir)
        cls.gpio = kvmd_env.user_gpio(cls.config)
        # The command drivers (the main config has its own GPIO driver too).
        cls.drivers = {name: (d.type, list(d.cmd)) for (name, d) in cls.config.kvmd.gpio.drivers.items()
                       if d.type in ("cmd", "cmdret")}

    @classmethod
    async def _scenario(cls) -> None:
        obs = cls.obs
        obs["connect_off"] = await cls._poll("page connect, every indicator off")
        # The model the page receives: the channels kvmd made of the override.
        obs["model"] = obs["connect_off"]["model"] or {"scheme": {"inputs": {}, "outputs": {}}, "view": {}}
        cls.channels = {}
        names = list(obs["model"]["scheme"]["inputs"]) + list(obs["model"]["scheme"]["outputs"])
        for item in (*BUTTONS, *INDICATORS):
            found = [n for n in names if n == item or n.endswith("_" + item)]
            cls.channels[item] = found[0] if len(found) == 1 else None

        # The user tells kvmtool where the switch starts, as its docs ask, from a shell.
        sync = subprocess.run([LAUNCHER, "switch", "sync", "1", "--switch", "main", "--config", cls.config_path],
                              capture_output=True, text=True, timeout=20, check=False)
        obs["sync"] = (sync.returncode, sync.stdout + sync.stderr)
        obs["connect_on"] = await cls._poll("page connect, input 1 lit")
        obs["line_before"] = {name: board.line() for (name, board) in cls.boards.items()}

        obs["steps"] = []
        for (index, (button, frames, _)) in enumerate(STEPS):
            press = await cls._press(button, wait=True, expect=frames)
            press["poll"] = await cls._poll(f"after step {index + 1}, {button}")
            obs["steps"].append(press)
        obs["line_after"] = {name: board.line() for (name, board) in cls.boards.items()}

        cls.boards["A"].unplug()
        obs["fail_wait"] = await cls._press("lamp-on", wait=True)
        obs["fail_page"] = await cls._press("lamp-on", wait=False)
        obs["gone_polls"] = [await cls._poll("board A gone, poll 1"), await cls._poll("board A gone, poll 2")]

    @classmethod
    async def _poll(cls, label: str) -> dict:
        mark = cls.records.mark()
        (got, exc) = ({}, None)
        try:
            got = await asyncio.wait_for(cls.gpio.get_state(), STEP_TIMEOUT)
        except Exception as ex:  # pylint: disable=broad-except
            exc = ex
        return {"label": label, "model": got.get("model"), "state": got.get("state"), "exc": exc,
                "records": cls.records.since(mark),
                "bytes": {name: board.take() for (name, board) in cls.boards.items()}}

    @classmethod
    async def _press(cls, button: str, wait: bool, expect: dict | None = None) -> dict:
        """POST /api/gpio/pulse?channel=CH: the page sends no delay (the API passes 0.0: the channel's own)."""
        mark = cls.records.mark()
        exc = None
        try:
            await asyncio.wait_for(cls.gpio.pulse(cls.channels[button], 0.0, wait), STEP_TIMEOUT)
            if not wait:
                # The pulse runs as a background task, as with the page: wait for kvmd to say how it ended.
                async def ended() -> None:
                    while not any("Pulsed " in r.getMessage() or "Can't perform pulse" in r.getMessage()
                                  for r in cls.records.since(mark)):
                        await asyncio.sleep(0.02)
                await asyncio.wait_for(ended(), STEP_TIMEOUT)
                await asyncio.sleep(0.05)
        except Exception as ex:  # pylint: disable=broad-except
            exc = ex
        return {"button": button, "wait": wait, "exc": exc, "records": cls.records.since(mark),
                "bytes": {name: board.take(len((expect or {}).get(name, b""))) for (name, board) in cls.boards.items()}}

    # ----- helpers for the checks -----

    def channel(self, item: str) -> str:
        ch = self.channels.get(item)
        scheme = self.obs["model"]["scheme"]
        names = sorted([*scheme["inputs"], *scheme["outputs"]])
        self.assertIsNotNone(ch, f"no single kvmd channel for '{item}' among {names}")
        return ch

    def driver(self, item: str) -> str:
        ch = self.channel(item)
        scheme = self.obs["model"]["scheme"]
        return (scheme["inputs"].get(ch) or scheme["outputs"][ch])["hw"]["driver"]

    def assert_poll_ok(self, poll: dict) -> None:
        self.assertIsNone(poll["exc"], f"{poll['label']}: get_state() raised")

    def assert_indicators(self, poll: dict, lit: set) -> None:
        self.assert_poll_ok(poll)
        got = {item: poll["state"]["inputs"][self.channel(item)] for item in INDICATORS}
        want = {item: {"online": True, "state": item in lit} for item in INDICATORS}
        self.assertEqual(got, want, f"{poll['label']}: indicator states kvmd reports")

    def all_polls(self) -> list:
        return ([self.obs["connect_off"], self.obs["connect_on"]] + [s["poll"] for s in self.obs["steps"]]
                + self.obs["gone_polls"])

    # ----- the override, as kvmd reads it -----

    def test_override_gives_kvmd_buttons_and_indicators_that_run_the_launcher(self) -> None:
        scheme = self.obs["model"]["scheme"]
        for button in BUTTONS:
            ch = self.channel(button)
            self.assertIn(ch, scheme["outputs"], f"{button} is a button kvmd pulses")
            self.assertGreater(scheme["outputs"][ch]["pulse"]["delay"], 0, button)
            self.assertEqual(self.drivers[self.driver(button)][0], "cmd", button)
        for indicator in INDICATORS:
            ch = self.channel(indicator)
            self.assertIn(ch, scheme["inputs"], f"{indicator} is an indicator kvmd reads")
            self.assertEqual(self.drivers[self.driver(indicator)][0], "cmdret", indicator)
        for (name, (_, cmd)) in self.drivers.items():
            self.assertEqual(cmd[0], LAUNCHER, f"driver {name} runs {cmd}")
        # The page draws each button from the view, with its label.
        shown = {item["channel"]: item["text"] for row in self.obs["model"]["view"]["table"] if row
                 for item in row if item["type"] == "output"}
        self.assertEqual(shown, {self.channel(b): label for (b, label) in BUTTONS.items()})

    # ----- the page -----

    def test_page_connect_reports_every_indicator_off_then_input_1_after_sync(self) -> None:
        self.assert_indicators(self.obs["connect_off"], set())
        self.assertEqual(self.obs["sync"][0], 0, f"kvmtool switch sync 1: {self.obs['sync'][1]}")
        self.assert_indicators(self.obs["connect_on"], {"main-1"})
        outputs = self.obs["connect_off"]["state"]["outputs"]
        for button in BUTTONS:
            self.assertEqual(outputs[self.channel(button)], {"online": True, "state": False, "busy": False}, button)

    def test_page_polls_send_nothing_to_the_boards(self) -> None:
        for poll in self.all_polls():
            self.assertEqual(poll["bytes"], {"A": b"", "B": b""}, poll["label"])

    def test_buttons_send_lcus_frames_and_indicators_follow(self) -> None:
        for (index, (button, frames, lit)) in enumerate(STEPS):
            step = self.obs["steps"][index]
            what = f"step {index + 1}, {button}"
            self.assertIsNone(step["exc"], f"{what}: pulse raised; kvmd logged:\n{journal(step['records'])}")
            self.assertEqual({k: v.hex(" ") for (k, v) in step["bytes"].items()},
                             {k: v.hex(" ") for (k, v) in frames.items()}, f"{what}: bytes the boards received")
            errors = [r for r in step["records"] if r.levelname == "ERROR"]
            self.assertEqual(lines(errors), [], f"{what} worked, yet kvmd logged errors")
            self.assert_indicators(step["poll"], lit)

    def test_kvmtool_opens_each_board_at_9600_8n1_without_flow_control(self) -> None:
        for name in ("A", "B"):
            before = self.obs["line_before"][name]
            self.assertEqual(before[4], termios.B38400, f"board {name}'s line before any button")
            (cflag, ispeed, ospeed) = (self.obs["line_after"][name][2], *self.obs["line_after"][name][4:6])
            self.assertEqual((ispeed, ospeed), (termios.B9600, termios.B9600), f"board {name}'s speed")
            self.assertEqual(cflag & termios.CSIZE, termios.CS8, f"board {name}: 8 data bits")
            self.assertFalse(cflag & (termios.PARENB | termios.CSTOPB | termios.CRTSCTS),
                             f"board {name}: N1, no RTS/CTS")

    # ----- a board that is gone -----

    def assert_kvmtool_line(self, records: list, prefix: str) -> None:
        """kvmtool's own message, "kvmtool: ..." naming the port, reaches kvmd's log at ERROR, once."""
        found = [r for r in records if r.getMessage().startswith(f"{prefix} => kvmtool: ")]
        self.assertEqual(len(found), 1, f"{prefix}: kvmtool's message once; kvmd logged:\n{journal(records)}")
        self.assertEqual(found[0].levelname, "ERROR", journal(found))
        self.assertIn(self.boards["A"].link, found[0].getMessage(), "kvmtool's message names the port")

    def assert_custom_command_error(self, records: list, button: str) -> None:
        cmd = " ".join(map(shlex.quote, self.drivers[self.driver(button)][1]))
        pattern = (re.escape(f"Can't run custom command [ {cmd} ]: RuntimeError: Custom command error: retcode=")
                   + r"([0-9]+)$")
        found = [(r, re.match(pattern, r.getMessage())) for r in records]
        found = [(r, m) for (r, m) in found if m]
        self.assertEqual(len(found), 1, f"kvmd's 'Can't run custom command' line; it logged:\n{journal(records)}")
        (record, match) = found[0]
        self.assertEqual((record.name, record.levelname), (CMD_LOGGER, "ERROR"))
        self.assertNotEqual(match.group(1), "0")
        # The command's output comes first, then kvmd's verdict.
        first_output = min(i for (i, r) in enumerate(records) if "=> kvmtool: " in r.getMessage())
        self.assertLess(first_output, records.index(record))

    def test_failing_button_with_wait_raises_driver_offline_and_logs_kvmtools_message(self) -> None:
        from kvmd.plugins.ugpio import GpioDriverOfflineError  # pylint: disable=import-outside-toplevel
        step = self.obs["fail_wait"]
        prefix = f"CMD({self.driver('lamp-on')})"
        # The API turns this into HTTP 400 (an OperationError), with this message.
        self.assertIsInstance(step["exc"], GpioDriverOfflineError, journal(step["records"]))
        self.assertEqual(str(step["exc"]), f"GPIO driver {prefix} is offline")
        self.assert_kvmtool_line(step["records"], prefix)
        self.assert_custom_command_error(step["records"], "lamp-on")
        self.assertEqual(step["bytes"]["B"], b"", "the other board is not touched")

    def test_failing_button_from_the_page_logs_kvmtools_message_and_driver_offline(self) -> None:
        step = self.obs["fail_page"]
        prefix = f"CMD({self.driver('lamp-on')})"
        # Without wait the API answers at once; kvmd reports the failure only in its log.
        self.assertIsNone(step["exc"], journal(step["records"]))
        self.assert_kvmtool_line(step["records"], prefix)
        self.assert_custom_command_error(step["records"], "lamp-on")
        offline = [r for r in step["records"] if r.getMessage() == (
            f"Can't perform pulse of Output({self.channel('lamp-on')}, driver={prefix}, pin=0)"
            " or operation was not completed: driver offline")]
        self.assertEqual([r.levelname for r in offline], ["ERROR"], journal(step["records"]))
        self.assertEqual(step["bytes"]["B"], b"", "the other board is not touched")

    def test_board_gone_indicators_read_off_and_the_others_still_work(self) -> None:
        # cmdret cannot say "offline": any non-zero exit is an unlit dot, still online.
        for poll in self.obs["gone_polls"]:
            self.assert_indicators(poll, {"main-2"})

    def test_board_gone_each_poll_logs_kvmtools_message_once_per_indicator(self) -> None:
        for poll in self.obs["gone_polls"]:
            for indicator in BOARD_A_INDICATORS:
                prefix = f"CMDRET({self.driver(indicator)})"
                mine = [r for r in poll["records"] if r.getMessage().startswith(prefix + " ")]
                self.assert_kvmtool_line(mine, prefix)
                self.assertEqual({r.levelname for r in mine}, {"ERROR"}, f"{poll['label']}:\n{journal(mine)}")

    # ----- journal noise: a page connect is silent unless something is wrong -----

    def assert_silent(self, polls: list, keep) -> None:
        """No poll logged a record that keep() selects; every offending poll is shown, not just the first."""
        noisy = [(poll["label"], lines([r for r in poll["records"] if keep(r)])) for poll in polls]
        noisy = [(label, got) for (label, got) in noisy if got]
        if noisy:
            self.fail("kvmd logged, where it should be silent:\n" + "\n".join(
                f"[{label}]\n" + "\n".join(got) for (label, got) in noisy))

    def test_quiet_page_connect_with_every_indicator_off_logs_no_error(self) -> None:
        self.assert_silent([self.obs["connect_off"]], lambda r: r.levelname == "ERROR")

    def test_quiet_page_connect_with_every_indicator_off_logs_nothing_from_cmdret(self) -> None:
        self.assert_silent([self.obs["connect_off"]], lambda r: r.name == CMDRET_LOGGER)

    def test_quiet_polls_with_indicators_lit_log_nothing_from_cmdret(self) -> None:
        polls = [self.obs["connect_on"]] + [s["poll"] for s in self.obs["steps"]]
        self.assert_silent(polls, lambda r: r.name == CMDRET_LOGGER)

    def test_quiet_board_gone_healthy_indicators_log_nothing(self) -> None:
        gone = tuple(f"CMDRET({self.driver(i)}) " for i in BOARD_A_INDICATORS)
        self.assert_silent(self.obs["gone_polls"],
                           lambda r: r.name == CMDRET_LOGGER and not r.getMessage().startswith(gone))


if __name__ == "__main__":
    unittest.main()
