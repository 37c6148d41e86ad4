"""Webhook deliveries and bridge syncs have separate queues, each served by its own worker
process: a flood on one never delays a job on the other (the real `flask --app app worker`)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from rq import Queue, get_current_job

from app import migrate
from app.jobs import WORKER_PROCESSES, QueueName, queue_name
from tests.conftest import make_settings
from tests.servers import start_worker, stop

FLOOD = 4
# A job on an idle queue starts within moments; behind a flood it would wait a minute.
PROMPT_SECONDS = 5.0


def hold(key: str) -> None:
    """A slow job: runs until the test releases it (a minute at most)."""
    connection = get_current_job().connection
    connection.rpush(f"{key}:started", "1")
    connection.blpop([f"{key}:release"], timeout=60)


def mark(key: str) -> None:
    get_current_job().connection.rpush(f"{key}:done", "1")


@pytest.fixture
def env(private_redis: str, tmp_path: Path) -> dict[str, str]:
    database_url = f"sqlite:///{tmp_path / 'queues.db'}"
    migrate.upgrade(database_url)
    return {
        "KC_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": private_redis,
        "REDIS_NAMESPACE": f"q{secrets.token_hex(3)}",
        "SECRET_KEY": secrets.token_hex(32),
        "VAR_DIR": str(tmp_path),
    }


@pytest.fixture
def queues(env: dict[str, str], tmp_path: Path) -> Iterator[dict[QueueName, Queue]]:
    settings = make_settings(env["DATABASE_URL"], env["REDIS_NAMESPACE"], tmp_path)
    # Longer than the BLPOPs below (redis-py 8 gives up reading after 5 s by default).
    connection = redis.Redis.from_url(env["REDIS_URL"], socket_timeout=120)
    yield {name: Queue(queue_name(settings, name), connection=connection) for name in QueueName}
    connection.close()


@pytest.mark.parametrize(
    ("flooded", "other"),
    [(QueueName.WEBHOOKS, QueueName.BRIDGE), (QueueName.BRIDGE, QueueName.WEBHOOKS)],
)
def test_a_flood_on_one_queue_does_not_delay_the_other(
    env: dict[str, str], queues: dict[QueueName, Queue], flooded: QueueName, other: QueueName
):
    key = f"{env['REDIS_NAMESPACE']}:probe"
    connection = queues[flooded].connection
    for _ in range(FLOOD):
        queues[flooded].enqueue(hold, key, job_timeout=120)
    worker = start_worker(env)
    try:
        assert connection.blpop([f"{key}:started"], timeout=60), "the flood never started"
        started = time.monotonic()
        queues[other].enqueue(mark, key)
        done = connection.blpop([f"{key}:done"], timeout=30)
        took = time.monotonic() - started
        assert done, f"the {other} job never ran"
        assert took < PROMPT_SECONDS
        # The flood is still waiting its turn (each of its workers holds one job).
        assert queues[flooded].count >= FLOOD - WORKER_PROCESSES[flooded] > 0
    finally:
        connection.rpush(f"{key}:release", *["1"] * FLOOD)
        stop(worker)
