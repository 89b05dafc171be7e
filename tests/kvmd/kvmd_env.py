"""kvmd's own code, imported for tests: its config loader (what `kvmd -m` runs) and its GPIO model and drivers.

kvmd's source is found through KVMD_SRC (default: ../shared/upstream/kvmd-4.197 beside the repository). It is
imported as it is, never copied; only what Debian 12's Python 3.11 cannot import is bridged here:
- kvmd's annotations use one-parameter Generator[X] / AsyncGenerator[X], which typing rejects before 3.13;
  collections.abc's generics accept them, and annotations mean nothing at run time.
- kvmd imports gpiod (libgpiod's v2 API) at import time for its own GPIO driver; Debian 12 has the v1 API.
  kvmtool's overrides use no gpiod driver, so a module whose names are empty classes stands in.
- kvmd/apps/kvmd/__init__.py imports the whole daemon (D-Bus, streamer clients, ...); the GPIO code in
  ugpio.py needs none of it, so the package is registered without running its __init__.
"""

import atexit
import collections.abc
import os
import shutil
import subprocess
import sys
import tempfile
import types
import typing

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_SRC = os.path.join(os.path.dirname(REPO), "shared", "upstream", "kvmd-4.197")
MAIN_CONFIGS = ("v2-hdmiusb-rpi4.yaml", "v3-hdmi-rpi4.yaml")
# The built kvmtool the tests run, as kvmd would: both executables side by side.
BIN_DIR = os.path.abspath(os.environ.get("KVMTOOL_BIN_DIR") or os.path.join(REPO, "artifacts", "linux-x64"))
# Debian 12's packages for the modules kvmd's GPIO path imports.
DEBIAN_PACKAGES = "python3-yaml python3-ruamel.yaml python3-pygments python3-aiofiles python3-evdev python3-aiohttp"


class Unavailable(Exception):
    """kvmd's source or a module it imports is missing: the tests that need it cannot run."""


def source() -> str:
    return os.environ.get("KVMD_SRC") or DEFAULT_SRC


class _Gpiod(types.ModuleType):
    def __getattr__(self, name: str) -> type:
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {})


_loaded = False
_empty: str | None = None


def load() -> None:
    """Makes kvmd importable, or raises Unavailable saying why."""
    global _loaded  # pylint: disable=global-statement
    if _loaded:
        return
    src = source()
    if not os.path.isfile(os.path.join(src, "kvmd", "apps", "__init__.py")):
        raise Unavailable(f"kvmd's source is not at {src} (set KVMD_SRC to a kvmd checkout)")
    typing.Generator = collections.abc.Generator  # type: ignore[misc]
    typing.AsyncGenerator = collections.abc.AsyncGenerator  # type: ignore[misc]
    sys.modules.setdefault("gpiod", _Gpiod("gpiod"))
    sys.path.insert(0, src)
    try:
        import kvmd.apps  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        package = types.ModuleType("kvmd.apps.kvmd")
        package.__path__ = [os.path.join(src, "kvmd", "apps", "kvmd")]
        sys.modules["kvmd.apps.kvmd"] = package
        import kvmd.apps.kvmd.ugpio  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        import kvmd.plugins.ugpio.cmd  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        import kvmd.plugins.ugpio.cmdret  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError as ex:
        raise Unavailable(f"kvmd at {src} cannot be imported: {ex} (Debian: apt-get install {DEBIAN_PACKAGES})") from ex
    _loaded = True


def main_config(name: str) -> str:
    return os.path.join(source(), "configs", "kvmd", "main", name)


def load_config(main: str, override_dir: str):  # -> kvmd.yamlconf.Section
    """kvmd's configuration as `kvmd -m` builds it: the main file, then every *.yaml in override_dir."""
    load()
    from kvmd.apps import ConfigPaths, _init_config  # pylint: disable=import-outside-toplevel
    global _empty  # pylint: disable=global-statement
    if _empty is None:
        # kvmd reads every file in override_dir, so its last, manual override (empty here) lives elsewhere.
        work = tempfile.mkdtemp(prefix="kvmd-env-")
        atexit.register(shutil.rmtree, work, True)
        _empty = os.path.join(work, "override.yaml")
        with open(_empty, "w", encoding="utf-8"):
            pass
    cps = ConfigPaths(main=main, legacy_auth=_empty + ".absent", override_dir=override_dir, override=_empty)
    return _init_config(cps, None, load_gpio=True)


def generate(config_file: str, override_dir: str) -> None:
    """Writes override_dir/gpio.yaml with the built kvmtool's own `gpio generate --config config_file`."""
    cli = os.path.join(BIN_DIR, "kvmtool-cli")
    out = subprocess.run([cli, "gpio", "generate", "--config", config_file, "-o", os.path.join(override_dir, "gpio.yaml")],
                         capture_output=True, text=True, timeout=60, check=False)
    if out.returncode != 0:
        raise AssertionError(f"kvmtool gpio generate --config {config_file} failed ({out.returncode}): {out.stdout}{out.stderr}")


def user_gpio(config):  # -> kvmd.apps.kvmd.ugpio.UserGpio
    load()
    from kvmd.apps.kvmd.ugpio import UserGpio  # pylint: disable=import-outside-toplevel
    return UserGpio(config.kvmd.gpio)
