"""``switchboard.yaml`` read with the line of every key and item, for error messages.

PyYAML's composer gives nodes with their marks; we build the plain data ourselves so
that each mapping key and sequence item records its line under its path
(``("callouts", "account_to_erp", "on", "when")``). Mapping keys are taken as written
(``on`` stays ``"on"``, not YAML 1.1's ``True``); values resolve as YAML says. Duplicate
keys are errors (PyYAML silently keeps the last one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import ProjectError

Path_ = tuple[Any, ...]


@dataclass
class ProjectSource:
    """The file's text and the line (1-based) of each path in it."""

    text: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of ``path``, or of its deepest ancestor present in the file.

        Parts absent from the file (pydantic's union tags in an error's location) are
        skipped, so ``("credentials", "erp", "auth", "bearer", "token")`` finds
        ``auth.token``."""
        best = 1
        here: Path_ = ()
        for part in path:
            candidate = (*here, part)
            if candidate in self.lines:
                here = candidate
                best = self.lines[here]
        return best

    def data_path(self, path: Path_) -> Path_:
        """``path`` without the parts that are not in the file."""
        here: Path_ = ()
        for part in path:
            if (*here, part) in self.lines:
                here = (*here, part)
        return here


# Aliases are expanded as they are built, so a file of nested aliases ("billion laughs")
# or an alias of its own ancestor would never finish: both bounds make it an error.
MAX_NODES = 100_000
MAX_DEPTH = 64


class TooLarge(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, source: ProjectSource) -> None:
        self.loader = loader
        self.source = source
        self.errors: list[ProjectError] = []
        self.nodes = 0

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or len(path) > MAX_DEPTH:
            raise TooLarge(node.start_mark.line + 1, "the file nests too deeply or expands "
                           "too many aliases (a recursive or exponential &anchor/*alias?)")  # fmt: skip
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.errors.append(ProjectError(line, "a key must be a plain name"))
                    continue
                key = key_node.value
                if key in first:
                    self.errors.append(ProjectError(
                        line, f"duplicate key '{key}' (first at line {first[key]}); keep one"))
                    continue
                first[key] = line
                self.source.lines[(*path, key)] = line
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                self.source.lines[(*path, i)] = item.start_mark.line + 1
                items.append(self.build(item, (*path, i)))
            return items
        return self.loader.construct_object(node, deep=True)


def parse(text: str) -> tuple[Any, ProjectSource, list[ProjectError]]:
    """The file's data, its source map and any syntax errors (data ``None`` then)."""
    source = ProjectSource(text)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, source, []
        builder = _Builder(loader, source)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        # problem/context only: str(exc) quotes the offending line, which may be a secret.
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        return None, source, [ProjectError(line, f"not valid YAML: {what}; check the "
                                                  "indentation and quoting here")]  # fmt: skip
    except TooLarge as exc:
        return None, source, [ProjectError(exc.line, exc.message)]
    except yaml.YAMLError as exc:
        return None, source, [ProjectError(1, f"not valid YAML ({type(exc).__name__})")]
    finally:
        loader.dispose()
    if builder.errors:
        return None, source, builder.errors
    if not isinstance(data, dict):
        return None, source, [ProjectError(1, "the file must be a mapping of sections "
                                              "(credentials:, callouts:, files:, connections:, syncs:)")]  # fmt: skip
    return data, source, []


__all__ = ["ProjectSource", "parse"]
