"""The error tree: each kind of failure a script can tell apart by its exit code."""

from __future__ import annotations

import importlib
import pkgutil

import disclosure_gateway
from disclosure_gateway.errors import GatewayError


def _all_error_classes() -> list[type[GatewayError]]:
    # import every module so that error classes defined outside errors.py are seen too
    for info in pkgutil.walk_packages(disclosure_gateway.__path__, "disclosure_gateway."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
    seen: list[type[GatewayError]] = []
    todo: list[type[GatewayError]] = [GatewayError]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return seen


def test_every_exit_code_names_one_kind_of_failure() -> None:
    # a class that sets its own exit code must not share it with another that does;
    # subclasses that keep their parent's code (AgreementError is an InputError) are fine
    owners: dict[int, list[str]] = {}
    for cls in _all_error_classes():
        if "exit_code" in vars(cls):
            owners.setdefault(cls.exit_code, []).append(f"{cls.__module__}.{cls.__qualname__}")
    shared = {code: names for code, names in owners.items() if len(names) > 1}
    assert shared == {}
