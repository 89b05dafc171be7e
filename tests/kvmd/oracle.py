"""kvmd's reading of override files, for the C# tests (Kvmd/KvmdOracle.cs): JSON in on stdin, JSON out.

In:  {"mains": ["v2-hdmiusb-rpi4.yaml", ...], "files": ["<override text>", ...]}
Exit 3 (and why, on stderr) when kvmd cannot be imported here.
Out: [{"ok": true, "drivers": {name: {"type": ..., "cmd": [...]}}, "scheme": {...}, "view": {...}}
      or {"ok": false, "error": "<what kvmd said>"}, ...]: one entry per file and main, file by file.
Each file is loaded as the only file in override.d, as `kvmd -m` would, and its GPIO section is turned into
kvmd's UserGpio model: what the web page receives in its "model".
"""

import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvmd_env  # noqa: E402  pylint: disable=wrong-import-position


def read(main: str, override_dir: str) -> dict:
    try:
        config = kvmd_env.load_config(kvmd_env.main_config(main), override_dir)
        gpio = kvmd_env.user_gpio(config)
    except Exception as ex:  # pylint: disable=broad-except
        # `kvmd -m` fails on whatever its loader raises, not only on ConfigError.
        return {"ok": False, "error": f"{type(ex).__name__}: {ex}"}
    drivers = {
        name: {"type": d.type, "cmd": list(d.cmd) if "cmd" in d._unpack() else None}  # pylint: disable=protected-access
        for (name, d) in config.kvmd.gpio.drivers.items()
    }
    # The model get_state() hands the page, without running any driver: UserGpio builds it once, at start.
    return {
        "ok": True,
        "drivers": drivers,
        "scheme": gpio._UserGpio__scheme,  # pylint: disable=protected-access
        "view": gpio._UserGpio__view,  # pylint: disable=protected-access
    }


def main() -> int:
    request = json.load(sys.stdin)
    try:
        kvmd_env.load()
    except kvmd_env.Unavailable as ex:
        print(ex, file=sys.stderr)
        return 3
    work = tempfile.mkdtemp(prefix="kvmd-oracle-")
    out = []
    try:
        override_dir = os.path.join(work, "override.d")
        os.mkdir(override_dir)
        path = os.path.join(override_dir, "gpio.yaml")
        for text in request["files"]:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            for main_name in request["mains"]:
                out.append(read(main_name, override_dir))
    finally:
        shutil.rmtree(work)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
