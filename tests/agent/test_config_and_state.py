"""The agent's TOML configuration and its state file."""

import json

import pytest

from agent.config import ConfigError, PrinterConfig, load_config
from agent.state import StateStore

GOOD = """
[platform]
url = "https://makernet.example/"
token = "abc"
agent_id = "workshop-1"

[[printers]]
platform_printer = 7
driver = "octoprint"
url = "http://octopi.local/"
api_key = "KEY"
snapshot_url = "http://octopi.local/webcam/?action=snapshot"
"""


def test_a_configuration_is_read_with_its_defaults(tmp_path):
    path = tmp_path / "agent.toml"
    path.write_text(GOOD)

    config = load_config(path)

    assert config.platform_url == "https://makernet.example"
    assert (config.token, config.agent_id, config.poll_seconds) == ("abc", "workshop-1", 5.0)
    assert config.state_file == tmp_path / "agent-state.json"
    assert config.printers == (
        PrinterConfig(
            7,
            "octoprint",
            "http://octopi.local",
            api_key="KEY",
            snapshot_url="http://octopi.local/webcam/?action=snapshot",
        ),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('token = "abc"\n', ""), "platform: 'token' is missing"),
        (
            ('driver = "octoprint"', 'driver = "bambu"'),
            "printers[0]: 'driver' must be one of octoprint, moonraker, prusalink (not 'bambu')",
        ),
        (('api_key = "KEY"\n', ""), "printers[0]: OctoPrint needs 'api_key' (an application key of an OctoPrint user)"),
        (
            ("platform_printer = 7", 'platform_printer = "seven"'),
            "printers[0]: 'platform_printer' must be the printer's id on the platform (a number)",
        ),
        (
            ('url = "http://octopi.local/"', 'url = "octopi.local"'),
            "printers[0]: 'url' must start with http:// or https://",
        ),
        (
            ('agent_id = "workshop-1"', 'agent_id = "workshop-1"\npoll_seconds = 0'),
            "platform: 'poll_seconds' must be a positive number",
        ),
    ],
)
def test_a_wrong_configuration_names_what_is_wrong(tmp_path, change, message):
    path = tmp_path / "agent.toml"
    path.write_text(GOOD.replace(*change))

    with pytest.raises(ConfigError) as error:
        load_config(path)

    assert str(error.value) == message


def test_prusalink_needs_a_login_and_a_printer_is_mapped_once(tmp_path):
    path = tmp_path / "agent.toml"
    path.write_text(GOOD + '\n[[printers]]\nplatform_printer = 8\ndriver = "prusalink"\nurl = "http://mk4.local"\n')
    with pytest.raises(ConfigError, match=r"^printers\[1\]: PrusaLink needs 'user' and 'password'"):
        load_config(path)

    path.write_text(GOOD + '\n[[printers]]\nplatform_printer = 7\ndriver = "moonraker"\nurl = "http://k.local"\n')
    with pytest.raises(ConfigError, match=r"^printers: platform printer 7 is mapped more than once$"):
        load_config(path)


def test_a_missing_or_broken_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"agent.toml: no such file$"):
        load_config(tmp_path / "agent.toml")
    (tmp_path / "agent.toml").write_text("[platform\n")
    with pytest.raises(ConfigError, match=r"agent.toml: not valid TOML"):
        load_config(tmp_path / "agent.toml")


def test_the_state_file_is_written_whole_and_read_back(tmp_path):
    path = tmp_path / "state" / "agent-state.json"
    store = StateStore(path)
    store.job(12).update(uploaded=True, started=True, file="job-12.gcode")
    store.save()

    assert json.loads(path.read_text()) == {"jobs": {"12": {"file": "job-12.gcode", "started": True, "uploaded": True}}}
    assert sorted(item.name for item in path.parent.iterdir()) == ["agent-state.json"]
    assert StateStore(path).job(12) == {"file": "job-12.gcode", "started": True, "uploaded": True}


def test_a_failed_write_leaves_the_old_state_file(tmp_path):
    path = tmp_path / "agent-state.json"
    store = StateStore(path)
    store.job(12)["started"] = True
    store.save()

    store.job(13)["unserialisable"] = object()
    with pytest.raises(TypeError):
        store.save()

    assert json.loads(path.read_text()) == {"jobs": {"12": {"started": True}}}
    assert sorted(item.name for item in tmp_path.iterdir()) == ["agent-state.json"]


def test_the_readme_example_is_a_valid_configuration(tmp_path):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Connecting printers: the maker agent", 1)[1].split("\n## ", 1)[0]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "agent.toml"
    path.write_text("\n".join(line.removeprefix("   ") for line in example.splitlines()))

    config = load_config(path)

    assert [(p.platform_printer, p.driver) for p in config.printers] == [
        (12, "octoprint"),
        (13, "moonraker"),
        (14, "prusalink"),
    ]
    assert config.printers[0].loaded_material == "PLA"
