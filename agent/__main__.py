"""``python -m agent --config agent.toml [run|once|confirm JOB]``

run      poll the platform every poll_seconds until stopped (Ctrl-C, SIGTERM); the default
once     one poll (heartbeat, jobs) and exit: for a cron job or to try a configuration
confirm  tell the platform the bed of job JOB's printer is clear, so that the agent may start it
"""

import argparse
import contextlib
import logging
import signal
import sys

from agent.client import PlatformClient, PlatformError
from agent.config import ConfigError, load_config
from agent.loop import Agent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agent", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default="agent.toml", help="the agent's TOML file (default: agent.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="poll until stopped (the default)")
    commands.add_parser("once", help="one poll, then exit")
    confirm = commands.add_parser("confirm", help="confirm that the bed is clear for a job")
    confirm.add_argument("job", type=int, help="the job's id (as on the platform's job page)")
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if arguments.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    try:
        config = load_config(arguments.config)
    except ConfigError as error:
        print(f"agent: {error}", file=sys.stderr)
        return 2
    if arguments.command == "confirm":
        client = PlatformClient(config.platform_url, config.token, timeout=config.timeout_seconds)
        try:
            client.confirm_start(arguments.job)
        except PlatformError as error:
            print(f"agent: job {arguments.job} not confirmed: {error.detail or error}", file=sys.stderr)
            return 1
        print(f"job {arguments.job}: bed confirmed clear; the agent starts it when the printer is ready")
        return 0
    agent = Agent(config)
    if arguments.command == "once":
        try:
            agent.poll_once()
        except PlatformError as error:
            print(f"agent: {error}", file=sys.stderr)
            return 1
        return 0
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with contextlib.suppress(KeyboardInterrupt):
        agent.run(should_stop=lambda: bool(stopping))
    return 0


if __name__ == "__main__":
    sys.exit(main())
