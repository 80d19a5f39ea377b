"""Running one array-heavy job in a second thread while the caller does another.

numpy releases the GIL inside its array loops (sorting, gathering, arithmetic on large arrays), so two
such jobs really use two cores; on a single free core they simply take turns, at no cost worth measuring.
"""

import threading


class Background:
    """``function(*arguments)`` started in a thread at once; ``result`` waits for it and returns its value
    (or raises what it raised)."""

    def __init__(self, function, *arguments) -> None:
        self._function = function
        self._arguments = arguments
        self._value = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = threading.Thread(
            target=self._run, name=f"mesh-{function.__name__}", daemon=True
        )
        try:
            self._thread.start()
        except RuntimeError:
            # No thread to be had (an address-space cap leaves no room for its stack, or the process is at
            # its thread limit): the job runs in the caller's thread when its result is asked for.
            self._thread = None

    def _run(self) -> None:
        try:
            self._value = self._function(*self._arguments)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, which raises it
            self._error = error

    def result(self):
        if self._thread is None:
            return self._function(*self._arguments)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value
