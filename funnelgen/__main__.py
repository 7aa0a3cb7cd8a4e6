"""`python -m funnelgen` and the `funnelgen` script. `--version` is answered before click and the commands are
imported: a version check (scripts, CI logs) then costs no more than starting Python."""

import sys


def run() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        print(f"funnelgen, version {__version__}")  # click.version_option's wording (funnelgen/cli.py)
        return
    from .cli import main

    main()


if __name__ == "__main__":
    run()
