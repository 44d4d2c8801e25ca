"""`copilot worker`: sends scheduled campaigns — the queue's consumer plus the scheduler.

Run as many as you like, on one machine or several (with COPILOT_QUEUE_URL=redis://…
and a shared state database): the recipient claims make sure nobody is sent twice, and a
worker that dies leaves claims that expire and are taken over. SIGTERM or Ctrl-C stops it
cleanly: each run stops after the slice it is sending and hands back what it has not
tried; a second signal stops at once.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING

import typer

from copilot.cli.common import console, settings, user_errors

if TYPE_CHECKING:
    from copilot.campaigns.dispatch.queue import CampaignQueue

log = logging.getLogger("copilot.worker")
HEALTH_S = 10.0  # how often dead consumer threads or processes are replaced


class _Stop:
    """The first SIGTERM/SIGINT asks for a clean stop; the second is the default action.
    The handlers found at the start are put back at the end (huey's consumer sets its own,
    and a caller in the same process keeps its own)."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self) -> None:
        self.event = threading.Event()
        self._before = {sig: signal.getsignal(sig) for sig in self.SIGNALS}

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def restore(self) -> None:
        for sig, handler in self._before.items():
            if handler is not None:  # None: set outside Python, cannot be put back
                signal.signal(sig, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        del frame
        self.event.set()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        log.info("%s: stopping after the current slice", signal.Signals(signum).name)


@user_errors
def worker(
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="同时发送的线程数(加 --processes 则为进程数)"),
    processes: bool = typer.Option(False, "--processes", help="用子进程代替线程"),
    tick_s: float = typer.Option(5.0, "--tick-s", min=0.2, max=60.0,
                                 help="每隔几秒检查一次到点的活动和要接手的发送"),
    once: bool = typer.Option(False, "--once",
                              help="检查一次、把现在到点的内容发完就退出(测试、cron 用)"),
) -> None:
    """活动发送程序:到点开始发送,按各渠道的速率发给每位收件人;可以开多个,不会重复发送。"""
    from copilot.campaigns.dispatch.queue import build_queue

    cfg = settings()
    _logging()
    queue = build_queue(cfg)
    stop = _Stop()
    try:
        if once:
            stop.install()
            _once(queue, workers, stop.event)
        else:
            _serve(queue, workers, processes, tick_s, stop)
    finally:
        stop.restore()
        queue.runtime.close()


def _once(queue: CampaignQueue, workers: int, stop: threading.Event) -> None:
    """One tick, then every campaign it named sent by `workers` threads, here."""
    from copilot.campaigns.dispatch.progress import progress, summary

    rt = queue.runtime
    rt.stopping = stop.is_set
    names = rt.tick()
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            for campaign_id in names:
                if stop.is_set():
                    break
                rt.run(campaign_id)
        except BaseException as exc:  # shown by the main thread
            errors.append(exc)
        finally:
            rt.close_thread()

    threads = [threading.Thread(target=drain, name=f"send-{i}") for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)
    if errors:
        raise errors[0]
    with rt.dispatch().state.begin() as conn:
        for campaign_id in names:
            console.print(f"活动 {campaign_id}:{summary(progress(conn, campaign_id))}")
    if not names:
        console.print("现在没有要发送的活动。")


def _serve(queue: CampaignQueue, workers: int, processes: bool, tick_s: float,
           stop: _Stop) -> None:
    consumer = queue.huey.create_consumer(
        workers=workers, worker_type="process" if processes else "thread", periodic=True,
        max_delay=1.0, shutdown_timeout=30.0, check_worker_health=True)
    # Runs check this between slices; forked workers share it through a pipe.
    queue.runtime.stopping = consumer.stop_flag.is_set
    # A worker lives long: what importing and setting up made stays, so the collector need
    # not walk it again on every full pass (about 10% more HTTP sends a second).
    gc.freeze()
    consumer.start()
    stop.install()  # after start: huey's own handlers would not stop runs between slices
    kind = "进程" if processes else "线程"
    console.print(f"活动发送程序已启动:{workers} 个{kind},每 {tick_s:g} 秒检查一次,"
                  "Ctrl-C 停止。")
    next_tick = next_health = 0.0
    try:
        while not stop.event.wait(min(0.2, tick_s)):
            now = time.monotonic()
            if now >= next_tick:
                next_tick = now + tick_s
                try:
                    queue.tick()
                except Exception:  # the database or the queue away for a moment
                    log.exception("tick failed; trying again in %g s", tick_s)
            if now >= next_health:
                next_health = now + HEALTH_S
                consumer.check_worker_health()
    finally:
        consumer.stop(graceful=True)
    console.print("活动发送程序已停止。")


def _logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("huey", "httpx", "httpcore"):  # a line per task or request
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main() -> None:
    """`python -m copilot.cli.worker`, the same command before it is wired into `copilot`."""
    typer.run(worker)


if __name__ == "__main__":
    main()
