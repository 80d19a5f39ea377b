"""The agent's configuration: one TOML file (README "Connecting printers: the maker agent").

[platform]
url = "https://makernet.example"
token = "..."                # an agent token made on the platform's token page
agent_id = "workshop-1"      # any name; the platform shows which agent holds a job
poll_seconds = 5
state_file = "agent-state.json"

[[printers]]
platform_printer = 12        # the printer's id on the platform
driver = "octoprint"         # octoprint | moonraker | prusalink
url = "http://octopi.local"
api_key = "..."              # octoprint, moonraker (optional)
# user = "maker" / password = "..." for prusalink (HTTP digest)
snapshot_url = "http://octopi.local/webcam/?action=snapshot"   # optional
loaded_material = "PLA"      # optional: the material code on the platform that is loaded now
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DRIVERS = ("octoprint", "moonraker", "prusalink")


class ConfigError(ValueError):
    """The configuration file is missing something or has a wrong value; the message names it."""


@dataclass(frozen=True)
class PrinterConfig:
    platform_printer: int
    driver: str
    url: str
    api_key: str | None = None
    user: str | None = None
    password: str | None = None
    snapshot_url: str | None = None
    loaded_material: str | None = None
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class AgentConfig:
    platform_url: str
    token: str
    agent_id: str
    poll_seconds: float = 5.0
    state_file: Path = Path("agent-state.json")
    printers: tuple[PrinterConfig, ...] = field(default_factory=tuple)
    timeout_seconds: float = 30.0


def _text(table: dict, key: str, where: str, *, required: bool = True) -> str | None:
    value = table.get(key)
    if value is None or value == "":
        if required:
            raise ConfigError(f"{where}: '{key}' is missing")
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: '{key}' must be a string")
    return value


def _number(table: dict, key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{where}: '{key}' must be a positive number")
    return float(value)


def _printer(table: dict, index: int) -> PrinterConfig:
    where = f"printers[{index}]"
    printer_id = table.get("platform_printer")
    if isinstance(printer_id, bool) or not isinstance(printer_id, int):
        raise ConfigError(f"{where}: 'platform_printer' must be the printer's id on the platform (a number)")
    driver = _text(table, "driver", where)
    if driver not in DRIVERS:
        raise ConfigError(f"{where}: 'driver' must be one of {', '.join(DRIVERS)} (not {driver!r})")
    url = _text(table, "url", where).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: 'url' must start with http:// or https://")
    printer = PrinterConfig(
        platform_printer=printer_id,
        driver=driver,
        url=url,
        api_key=_text(table, "api_key", where, required=False),
        user=_text(table, "user", where, required=False),
        password=_text(table, "password", where, required=False),
        snapshot_url=_text(table, "snapshot_url", where, required=False),
        loaded_material=_text(table, "loaded_material", where, required=False),
        timeout_seconds=_number(table, "timeout_seconds", where, 30.0),
    )
    if driver == "octoprint" and not printer.api_key:
        raise ConfigError(f"{where}: OctoPrint needs 'api_key' (an application key of an OctoPrint user)")
    if driver == "prusalink" and not (printer.user and printer.password):
        raise ConfigError(f"{where}: PrusaLink needs 'user' and 'password' (HTTP digest login)")
    return printer


def parse_config(data: dict, *, base: Path = Path(".")) -> AgentConfig:
    platform = data.get("platform")
    if not isinstance(platform, dict):
        raise ConfigError("the [platform] table is missing")
    url = _text(platform, "url", "platform").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError("platform: 'url' must start with https:// (or http:// on a local network)")
    printers_data = data.get("printers", [])
    if not isinstance(printers_data, list):
        raise ConfigError("'printers' must be a list of [[printers]] tables")
    printers = tuple(_printer(table, index) for index, table in enumerate(printers_data))
    ids = [printer.platform_printer for printer in printers]
    duplicates = sorted({printer_id for printer_id in ids if ids.count(printer_id) > 1})
    if duplicates:
        raise ConfigError(f"printers: platform printer {', '.join(map(str, duplicates))} is mapped more than once")
    state_file = Path(_text(platform, "state_file", "platform", required=False) or "agent-state.json")
    return AgentConfig(
        platform_url=url,
        token=_text(platform, "token", "platform"),
        agent_id=_text(platform, "agent_id", "platform"),
        poll_seconds=_number(platform, "poll_seconds", "platform", 5.0),
        state_file=state_file if state_file.is_absolute() else base / state_file,
        printers=printers,
        timeout_seconds=_number(platform, "timeout_seconds", "platform", 30.0),
    )


def load_config(path: Path | str) -> AgentConfig:
    """Read and check the TOML file; a relative ``state_file`` is relative to the config file's folder."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file")
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})")
    return parse_config(data, base=path.resolve().parent)
