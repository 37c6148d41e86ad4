"""Liveness and readiness probes."""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.web_db import database

logger = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


def _database_ok() -> bool:
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.warning("readiness: database unreachable", exc_info=True)
        return False
    return True


def _redis_ok() -> bool:
    client: redis.Redis = current_app.extensions["kc.redis"]
    try:
        return bool(client.ping())
    except redis.RedisError:
        logger.warning("readiness: redis unreachable", exc_info=True)
        return False


@bp.get("/readyz")
def readyz() -> Response:
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    ready = all(checks.values())
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    return response
