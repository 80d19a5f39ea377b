"""Fixtures of the maker agent's tests: fake Moonraker, PrusaLink and platform servers (real HTTP on free ports,
tests/agent/fakes.py) and an agent configured through a real TOML file. The real OctoPrint is the session fixture
``octoprint_server`` (tests/octoprint_local.py)."""

from pathlib import Path

import pytest

from agent.config import load_config
from agent.loop import Agent
from tests.agent.fakes import FakeMoonraker, FakePlatform, FakePrusaLink

TOKEN = "agent-token-123"


@pytest.fixture
def platform_server():
    server = FakePlatform(token=TOKEN, printers=(7, 8))
    yield server
    server.stop()


@pytest.fixture
def moonraker():
    server = FakeMoonraker(api_key="moon-key")
    yield server
    server.stop()


@pytest.fixture
def prusalink():
    server = FakePrusaLink(user="maker", password="secret-digest")
    yield server
    server.stop()


def write_config(folder: Path, platform_url: str, printers: str, *, agent_id: str = "workshop-1") -> Path:
    path = folder / "agent.toml"
    path.write_text(
        f'[platform]\nurl = "{platform_url}"\ntoken = "{TOKEN}"\nagent_id = "{agent_id}"\npoll_seconds = 0.1\n'
        f'state_file = "agent-state.json"\n\n{printers}'
    )
    return path


def moonraker_printer(server: FakeMoonraker, printer: int = 7) -> str:
    return (
        f'[[printers]]\nplatform_printer = {printer}\ndriver = "moonraker"\nurl = "{server.url}"\n'
        f'api_key = "moon-key"\nsnapshot_url = "{server.url}/webcam/snapshot"\nloaded_material = "PLA"\n'
    )


def prusalink_printer(server: FakePrusaLink, printer: int = 8, password: str = "secret-digest") -> str:
    return (
        f'[[printers]]\nplatform_printer = {printer}\ndriver = "prusalink"\nurl = "{server.url}"\n'
        f'user = "maker"\npassword = "{password}"\n'
    )


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_agent(tmp_path, platform_server, clock):
    """``make_agent(printers_toml)``: an agent read from a TOML file in tmp_path (a second call = a restart: same
    config, same state file)."""

    def make(printers: str) -> Agent:
        config = load_config(write_config(tmp_path, platform_server.url, printers))
        return Agent(config, clock=clock)

    return make
