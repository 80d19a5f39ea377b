"""The printer drivers behind one interface (``agent.drivers.base.Driver``)."""

from agent.config import PrinterConfig
from agent.drivers.base import Driver, DriverError, PrinterStatus
from agent.drivers.moonraker import MoonrakerDriver
from agent.drivers.octoprint import OctoPrintDriver
from agent.drivers.prusalink import PrusaLinkDriver

DRIVERS: dict[str, type[Driver]] = {
    "octoprint": OctoPrintDriver,
    "moonraker": MoonrakerDriver,
    "prusalink": PrusaLinkDriver,
}


def make_driver(config: PrinterConfig) -> Driver:
    return DRIVERS[config.driver](config)


__all__ = ["DRIVERS", "Driver", "DriverError", "PrinterStatus", "make_driver"]
