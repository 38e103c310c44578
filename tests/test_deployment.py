"""The deployment files keep their promises: the image installs only the runtime dependencies,
each checked by its hash and pinned to the same version as the development lock; compose migrates
once before anything else starts, checks every service's health, pins its images, builds one
image and runs it as a non-root user."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

DEV_ONLY = {
    "pytest",
    "pytest-django",
    "playwright",
    "ruff",
    "mypy",
    "hypothesis",
    "moto",
    "pip-audit",
}


def pins(path) -> dict[str, str]:
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_runtime_lock_holds_no_development_tool_and_every_package_has_a_hash():
    runtime = pins("requirements-runtime.lock")
    assert {"django", "celery", "weasyprint", "django-storages", "gunicorn"} <= set(runtime)
    assert not DEV_ONLY & set(runtime)
    text = (ROOT / "requirements-runtime.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text.split("\n", 1)[1])
    packages = [b for b in blocks if re.match(r"[A-Za-z0-9_.\-]+==", b)]
    assert packages and all("--hash=sha256:" in block for block in packages)


def test_every_runtime_dependency_of_the_project_is_in_the_runtime_lock():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {
        re.match(r"[A-Za-z0-9_.\-]+", dependency)[0].lower().replace("_", "-")
        for dependency in project["dependencies"]
    }
    assert wanted <= set(pins("requirements-runtime.lock")), "run make lock"


def test_the_runtime_lock_names_the_same_versions_as_the_development_lock():
    runtime, everything = pins("requirements-runtime.lock"), pins("requirements.lock")
    assert {name: everything.get(name) for name in runtime} == runtime


def test_the_image_installs_the_runtime_lock_by_hash_and_runs_as_a_non_root_user():
    text = (ROOT / "Dockerfile").read_text()
    dockerfile = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert (
        "pip install --require-hashes" in dockerfile and "requirements-runtime.lock" in dockerfile
    )
    assert "requirements.lock" not in dockerfile.replace("requirements-runtime.lock", "")
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^FROM \S+:\d+\.\d+\.\d+", dockerfile, re.M)  # a pinned base image


def test_compose_migrates_once_before_web_worker_and_beat(compose):
    services = compose["services"]
    assert services["migrate"]["command"].split()[-2:] == ["migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in str(services[name]["command"])


def test_compose_checks_every_long_running_services_health(compose):
    for name, service in compose["services"].items():
        if name != "migrate":
            assert "healthcheck" in service, name
    assert "/health/ready/" in str(compose["services"]["web"]["healthcheck"]["test"])
    for name in ("db", "redis"):
        assert compose["services"]["web"]["depends_on"][name]["condition"] == "service_healthy"


def test_compose_builds_one_image_and_pins_the_others(compose):
    services = compose["services"]
    assert [name for name, s in services.items() if "build" in s] == ["migrate"]
    images = {s["image"] for s in services.values()}
    app_images = {i for i in images if i.startswith("fellowship-manager")}
    assert len(app_images) == 1
    for image in images - app_images:
        assert re.fullmatch(r"[a-z0-9/]+:\d+(\.\d+)+(-[a-z]+)?", image), image
