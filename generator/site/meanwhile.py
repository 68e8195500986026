"""Work a build hands to a forked copy of itself while it goes on (the load cache saved, the
data downloads made): `meanwhile(work)` starts it, then it is waited for once, or stopped when
the build fails. What `work` returns comes back pickled through a temporary file (not a pipe:
a national report outgrows one)."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
from typing import Any, Callable


def meanwhile(work: Callable[[], Any], otherwise: Any = None) -> "Meanwhile":
    """Run `work` in a forked copy of this process; wait() gives what it returned, or
    `otherwise` if the copy failed. Where there is no fork, the work is done here, now."""
    if not hasattr(os, "fork"):
        return finished(work())
    report = tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:                                  # the copy: work, report, leave at once (no atexit, no flush)
        try:
            report.write(pickle.dumps(work()))
            report.flush()
        finally:
            os._exit(0)
    return Meanwhile(pid, report, otherwise)


def finished(result: Any) -> "Meanwhile":
    """Work already done (or nothing to do): wait() gives `result` at once."""
    return Meanwhile(None, None, result)


class Meanwhile:
    """The forked copy `meanwhile` started: waited for once, or stopped (the build failed)."""

    def __init__(self, pid: int | None, report, result: Any):
        self.pid, self.report = pid, report
        self.started = pid                        # (self.pid is None once the copy is reaped)
        self.result = result

    def wait(self) -> Any:
        if self.report is not None:
            try:
                self._reap()
                self.report.seek(0)
                data = self.report.read()
                if data:
                    self.result = pickle.loads(data)
            except (OSError, pickle.UnpicklingError, EOFError, ValueError):
                pass                              # the copy failed: `otherwise` stands
            finally:
                self._close()
        return self.result

    def stop(self) -> None:
        """The build is being given up (even while waiting, on Ctrl+C): what the copy writes goes
        with the staging folder, so it is killed, not waited for."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        self._reap()
        self._close()

    def _reap(self) -> None:
        if self.pid:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = None                        # (not before: an interrupted wait leaves it to stop())

    def _close(self) -> None:
        if self.report is not None:
            report, self.report = self.report, None
            report.close()
