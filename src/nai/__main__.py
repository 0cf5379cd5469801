"""`nai` and `python -m nai`: the command, with Ctrl-C and SIGTERM handled from the first moment."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys

#: The exit statuses of a command stopped by SIGINT or SIGTERM (128 + the signal).
STOPPED = (128 + signal.SIGINT, 128 + signal.SIGTERM)


def _stop_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM before the command has begun: nothing is open yet, so leave at once, with
    the line and the status that a command gives (from there on, nai.cli handles them)."""
    os.write(2, f"nai: interrupted by {signal.Signals(signum).name}\n".encode())
    os._exit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGINT, _stop_while_starting)
    signal.signal(signal.SIGTERM, _stop_while_starting)
    gc.disable()  # start-up makes many objects and frees few: collecting meanwhile is lost time (2 ms)
    if "trend" in sys.argv[1:4]:
        from nai import quick

        status = quick.run(sys.argv[1:])  # `nai trend` without click's start, when it can
        if status is not None:
            os._exit(status)
    from nai.cli import cli
    from nai.cli.common import READ_ONLY

    gc.enable()

    try:
        cli(prog_name="nai")
    except SystemExit as exc:
        if isinstance(exc.code, int) and (exc.code in STOPPED or cli.ran in READ_ONLY):
            # Stopped: the command has rolled back, closed the archive and ended its workers. Leave
            # now: the interpreter's own exit would wait on the process pool's threads, and one
            # that was reading a killed worker's half-written result would wait for ever.
            # A reading command has closed the archive and has nothing else to end: tearing the
            # interpreter down would only cost time (about 6 ms of a 70 ms search).
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):  # a reader gone: nothing more to say there
                    if stream is not None:  # None: started with it closed (`nai trend x >&-`)
                        stream.flush()
            os._exit(exc.code)
        raise


if __name__ == "__main__":
    main()
