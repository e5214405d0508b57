"""The error tree's docstrings are true: every Switchboard error class appears in the
tree drawn in its module's docstring, each layer's root appears in core.errors' tree,
each transient error is marked so in its tree, and no two error classes share a name
(duplicates were merged)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import defaultdict

import switchboard
from switchboard.core import errors as core_errors
from switchboard.core.errors import SwitchboardError, TransientError

_BROKEN: dict[str, str] = {}


def _import_everything() -> None:
    def failed(name: str) -> None:
        _BROKEN[name] = "cannot import"

    for info in pkgutil.walk_packages(switchboard.__path__, "switchboard.", onerror=failed):
        try:
            importlib.import_module(info.name)
        except ImportError as exc:  # reported by test_every_module_imports
            _BROKEN[info.name] = str(exc)


def _all_error_classes() -> list[type[SwitchboardError]]:
    _import_everything()
    seen: dict[type, None] = {}
    stack: list[type] = [SwitchboardError]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen[sub] = None
                stack.append(sub)
    return [
        c
        for c in seen
        if c.__module__.startswith("switchboard.") and not c.__name__.startswith("_")
    ]


def test_every_module_imports() -> None:
    _import_everything()
    assert not _BROKEN, _BROKEN


def _tree_line(doc: str, name: str) -> str | None:
    for line in doc.splitlines():
        if re.search(rf"\b{name}\b", line):
            return line
    return None


def test_every_error_is_in_its_modules_tree_and_says_if_transient() -> None:
    missing, unmarked = [], []
    for cls in _all_error_classes():
        doc = inspect.getmodule(cls).__doc__ or ""  # type: ignore[union-attr]
        line = _tree_line(doc, cls.__name__)
        if line is None:
            missing.append(f"{cls.__module__}.{cls.__name__}")
        elif cls.transient is True and "transient" not in line.lower():
            unmarked.append(f"{cls.__module__}.{cls.__name__}")
        assert isinstance(cls.transient, bool), cls
    assert not missing, f"not drawn in their module's tree: {missing}"
    assert not unmarked, f"transient but not marked so in the tree: {unmarked}"


def test_each_layer_root_is_in_the_core_tree() -> None:
    doc = core_errors.__doc__ or ""
    absent = []
    for cls in _all_error_classes():
        if cls.__module__ == core_errors.__name__:
            assert _tree_line(doc, cls.__name__) is not None, cls
            continue
        bases = {b for b in cls.__bases__ if issubclass(b, SwitchboardError)}
        if bases <= {SwitchboardError, TransientError}:  # a root of its layer's subtree
            dotted = f"{cls.__module__.removeprefix('switchboard.')}.{cls.__name__}"
            if dotted not in doc:
                absent.append(dotted)
    assert not absent, f"layer roots missing from core/errors.py's tree: {absent}"


def test_transient_types_are_transient_errors() -> None:
    # A TransientError subclass never says terminal, and the store's busy error is one.
    from switchboard.events.errors import ConsumerMoved
    from switchboard.store.errors import StoreBusy

    for cls in _all_error_classes():
        if issubclass(cls, TransientError):
            assert cls.transient is True, cls
    assert issubclass(StoreBusy, TransientError) and issubclass(ConsumerMoved, TransientError)


def test_no_two_error_classes_share_a_name() -> None:
    by_name: dict[str, list[str]] = defaultdict(list)
    for cls in _all_error_classes():
        by_name[cls.__name__].append(cls.__module__)
    duplicated = {n: m for n, m in by_name.items() if len(m) > 1}
    assert not duplicated, f"duplicated error classes (merge them): {duplicated}"
