"""`python -m cirrostack.router.agent apply|read --namespace NS --directory DIR < config.json`

apply: make the router enforce the RouterConfig read from stdin; prints what it did, one line each.
read: print what the router enforces now (its AppliedConfig) as JSON.
Errors go to stderr with exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cirrostack.errors import CirroError
from cirrostack.router.agent.router_agent import RouterAgent
from cirrostack.router.config import RouterConfig, plain_data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cirrostack.router.agent",
                                     description="apply or read a router's whole configuration")
    parser.add_argument("action", choices=("apply", "read"))
    parser.add_argument("--namespace", default="", help="the router's network namespace ('' = this one)")
    parser.add_argument("--directory", required=True, type=Path, help="the router's own directory")
    options = parser.parse_args(argv)
    agent = RouterAgent(options.namespace, options.directory)
    try:
        config = RouterConfig.from_json(sys.stdin.read())
        if options.action == "apply":
            for done in agent.apply(config):
                print(done)
        else:
            print(json.dumps(plain_data(agent.read(config)), sort_keys=True))
    except (CirroError, ValueError) as exc:
        print(f"router agent: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
