"""Reference data shipped as package data files (never literals in code)."""
from functools import cache
from importlib import resources

import yaml


@cache
def load(name: str):
    """Parse ``data/<name>.yaml`` once per process."""
    text = resources.files("inservice_portal").joinpath("data", f"{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def vocabulary(name: str) -> dict:
    return load("vocabularies")[name]


def centres() -> list[dict]:
    return load("centres")
