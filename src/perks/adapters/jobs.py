"""Background work in the serving process: one worker thread, jobs run in the order submitted.

A job records its own progress in the database, so a client polls it from any process.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

__all__ = ["ThreadJobs"]


class ThreadJobs:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perks-jobs")

    def submit(self, work: Callable[[], None]) -> None:
        self._executor.submit(work)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)
