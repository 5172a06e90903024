"""The deployment files: docker-compose.yml is valid Compose and wires the services together."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MODERATO_SHARED_DIR", ROOT.parent / "shared"))
SCHEMA = SHARED / "schemas" / "compose-spec" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def test_compose_file_validates_against_the_compose_spec(compose: dict[str, Any]) -> None:
    """docker-compose.yml is valid against the official Compose JSON schema."""
    if not SCHEMA.exists():
        pytest.fail(f"compose schema not found at {SCHEMA} (set MODERATO_SHARED_DIR)")
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)  # the spec declares draft-07
    errors = sorted(validator.iter_errors(compose), key=str)
    assert not errors, "\n".join(e.message for e in errors)


def test_compose_has_the_four_services_with_their_commands(compose: dict[str, Any]) -> None:
    """redis, postgres, web (gunicorn) and worker (2 replicas) exist with the right commands."""
    services = compose["services"]
    assert {"redis", "postgres", "web", "worker"} <= set(services)
    # `moderato web` checks every setting before it execs gunicorn on service.wsgi:app
    assert services["web"]["command"][:2] == ["moderato", "web"]
    assert services["worker"]["command"] == ["moderato", "worker"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["migrate"]["command"] == ["moderato", "db", "upgrade"]


def test_web_and_worker_point_at_the_compose_postgres_and_redis(compose: dict[str, Any]) -> None:
    """web and worker read DATABASE_URL (the postgres service) and REDIS_URL (the redis service)."""
    services = compose["services"]
    for name in ("web", "worker", "migrate"):
        env = services[name]["environment"]
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["MODERATO_ENV"] == "production"
        assert "MODERATO_SECRET_KEY" in env
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_dockerfile_builds_one_image_for_web_and_worker() -> None:
    """The Dockerfile installs the project with the PostgreSQL driver and runs as non-root."""
    text = (ROOT / "Dockerfile").read_text()
    assert "'.[postgres]'" in text
    assert "USER moderato" in text


def test_the_access_log_never_carries_a_query_string(compose: dict[str, Any]) -> None:
    """API keys travel in query strings (Perspective ?key=, Akismet ?api_key=): the web
    server's access log line, in `moderato run` and in Compose, leaves the query out."""
    from service.runner import ACCESS_LOG_FORMAT, gunicorn_argv

    argv = gunicorn_argv("127.0.0.1:1", 1)
    assert argv[argv.index("--access-logformat") + 1] == ACCESS_LOG_FORMAT
    # Compose's web runs `moderato web`, which execs exactly this command line
    assert compose["services"]["web"]["command"][:2] == ["moderato", "web"]
    assert "%(r)s" not in ACCESS_LOG_FORMAT and "%(q)s" not in ACCESS_LOG_FORMAT
    assert "%(U)s" in ACCESS_LOG_FORMAT  # the path, without the query
    # nor the client's address (kept only as a keyed hash) or the Referer (filter URLs
    # carry e-mail addresses)
    assert "%(h)s" not in ACCESS_LOG_FORMAT and "%(f)s" not in ACCESS_LOG_FORMAT


def _dotenv(path: Path) -> dict[str, str]:
    from service.envfile import parse

    return parse(path.read_text(), str(path))


def test_every_setting_in_dot_env_reaches_each_moderato_container(
    compose: dict[str, Any],
) -> None:
    """web, worker and migrate read .env (env_file, optional), so a setting an operator puts
    there reaches them; only 9 forwarded variables did (found in review). What the
    Compose file sets itself (production, its database and Redis, the image's data folder)
    wins over the file, as Compose gives `environment` precedence over `env_file`."""
    example = _dotenv(ROOT / ".env.example")
    for name in ("web", "worker", "migrate"):
        service = compose["services"][name]
        assert service["env_file"] == [{"path": ".env", "required": False}]
        effective = {**example, **service["environment"]}
        assert set(example) <= set(effective)
        assert effective["MODERATO_ENV"] == "production"
        assert effective["MODERATO_INSTANCE_PATH"] == "/var/lib/moderato"
        assert effective["DATABASE_URL"].startswith("postgresql+psycopg://")


def test_the_image_is_built_never_pulled(compose: dict[str, Any]) -> None:
    """Each service that runs moderato's image builds it (there is no moderato image on
    Docker Hub to pull; web and worker had only `image:`, so Compose tried to pull it)."""
    ours = [s for s in compose["services"].values() if s.get("image") == "moderato:latest"]
    assert len(ours) == 3
    for service in ours:
        assert service["build"] == "."
        assert service["pull_policy"] in ("build", "never")


def test_web_is_published_on_loopback_and_checked_for_liveness(compose: dict[str, Any]) -> None:
    """The port is published on 127.0.0.1 only (TLS comes from a reverse proxy; it was
    "8000:8000" on every interface over plain HTTP), and the health check asks /healthz, so
    a Redis outage, during which intake still answers 202, does not take web out."""
    web = compose["services"]["web"]
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    probe = " ".join(web["healthcheck"]["test"])
    assert "/healthz" in probe and "/readyz" not in probe


def test_the_dockerfile_starts_web_through_moderato() -> None:
    """The image's default command checks the settings before gunicorn starts."""
    text = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["moderato", "web", "--bind", "0.0.0.0:8000"' in text
