"""The AWS API calls a Lambda handler's code can make, found by reading the code (no hand list).

From the handler function, follow the code by name through the modules it imports:
- our own modules (under functions/) function by function: a function counts when a counted function
  or module-level code names it (a call, a callback, a method), or when it is decorated (registered
  with a resolver) or a dunder method;
- a library class or function our code imports is read whole, with the modules of its base classes
  (Powertools' DynamoDB persistence layer: Powertools calls its methods, not our code);
- boto3 and botocore themselves are not read.
A call `<anything>.<operation>(...)` counts when `<operation>` is an operation of a service whose
client that code creates (`.client("dynamodb")`): anywhere in our own code, or in the same library
module. The result is IAM actions,
`dynamodb:GetItem`, named by the service's signing name (Step Functions: `states`).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import botocore.session
from botocore import xform_name

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
NOT_READ = ("boto3", "botocore")


@dataclass
class Source:
    module: ModuleType
    tree: ast.Module
    own: bool  # under functions/: followed function by function; a library module is read whole
    defs: dict[str, list[ast.AST]] = field(default_factory=dict)


def _is_own(module: ModuleType) -> bool:
    path = getattr(module, "__file__", None)
    return bool(path) and FUNCTIONS in Path(path).resolve().parents


@functools.cache
def _source(name: str) -> Source | None:
    module = importlib.import_module(name)
    if name.split(".")[0] in NOT_READ or not getattr(module, "__file__", None):
        return None
    try:
        text = inspect.getsource(module)
    except (OSError, TypeError):
        return None
    source = Source(module, ast.parse(text), _is_own(module))
    for node in ast.walk(source.tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            source.defs.setdefault(node.name, []).append(node)
    return source


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the nodes inside `if TYPE_CHECKING:` blocks (never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for child in node.body for inner in ast.walk(child))
    return skipped


def _imported_modules(source: Source) -> set[str]:
    """The modules whose code an import in `source` can run: for `from pkg import name`, the module
    that defines `name` (a re-export in pkg/__init__ brings no other code), and for a library class,
    the modules of its bases too."""
    found: set[str] = set()
    skipped = _type_checking_only(source.tree)
    for node in ast.walk(source.tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            base = importlib.import_module(node.module)
            for alias in node.names:
                value = getattr(base, alias.name, None)
                if isinstance(value, ModuleType):
                    found.add(value.__name__)
                    continue
                home = inspect.getmodule(value) if value is not None else None
                found.add(home.__name__ if home else node.module)
                if inspect.isclass(value) and not _is_own(base):
                    found.update(k.__module__ for k in inspect.getmro(value) if k.__module__ != "builtins")
    return {name for name in found if name.split(".")[0] not in NOT_READ and name != "__future__"}


def _names(nodes: Iterable[ast.AST]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name):
                names.add(inner.id)
            elif isinstance(inner, ast.Attribute):
                names.add(inner.attr)
    return names


def _module_level(tree: ast.Module) -> list[ast.AST]:
    """Module-level statements, without the bodies of the functions they define (decorators kept)."""
    kept: list[ast.AST] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            kept.extend(node.decorator_list)
        elif isinstance(node, ast.ClassDef):
            kept.extend(node.bases)
            kept.extend(node.decorator_list)
            kept.extend(n for n in node.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
        else:
            kept.append(node)
    return kept


def _reached(handler: str) -> tuple[list[ast.AST], list[Source]]:
    """The code the handler can run: our own, as AST nodes, and the library modules read whole."""
    module_name, _, function = handler.rpartition(".")
    sources: dict[str, Source] = {}
    pending = [module_name]
    while pending:
        name = pending.pop()
        if name in sources:
            continue
        source = _source(name)
        if source is None:
            continue
        sources[name] = source
        if source.own:  # a library module is read whole, not followed further
            pending.extend(_imported_modules(source))
    own = [source for source in sources.values() if source.own]

    nodes: list[ast.AST] = []
    wanted = {function}
    for source in own:
        nodes.extend(_module_level(source.tree))
        for defs in source.defs.values():
            for node in defs:
                assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                if node.decorator_list or (node.name.startswith("__") and node.name.endswith("__")):
                    wanted.add(node.name)
    wanted |= _names(nodes)
    done: set[str] = set()
    while wanted - done:
        name = (wanted - done).pop()
        done.add(name)
        for source in own:
            for node in source.defs.get(name, []):
                nodes.append(node)
                wanted |= _names([node])
    return nodes, [source for source in sources.values() if not source.own]


def _services(nodes: Iterable[ast.AST]) -> set[str]:
    """Services whose clients the code creates: `<x>.client("dynamodb", ...)`."""
    available = set(botocore.session.get_session().get_available_services())
    found: set[str] = set()
    for node in nodes:
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if "client" not in name:
                continue
            values = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "service_name")]
            found.update(v.value for v in values if isinstance(v, ast.Constant) and v.value in available)
    return found


@functools.cache
def _operations(service: str) -> tuple[str, dict[str, str]]:
    model = botocore.session.get_session().get_service_model(service)
    return model.signing_name, {xform_name(op): op for op in model.operation_names}


def _calls(nodes: Iterable[ast.AST]) -> set[str]:
    return {
        call.func.attr
        for node in nodes
        for call in ast.walk(node)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
    }


def _actions(services: set[str], called: set[str]) -> set[str]:
    found: set[str] = set()
    for service in services:
        prefix, operations = _operations(service)
        found.update(f"{prefix}:{operations[name]}" for name in called & operations.keys())
    return found


@functools.cache
def _library_actions(name: str) -> frozenset[str]:
    """A library module's calls, on the clients that module creates itself (its other calls, such as
    `jmespath.query`, are not AWS calls)."""
    source = _source(name)
    assert source is not None
    return frozenset(_actions(_services([source.tree]), _calls([source.tree])))


def actions(handler: str) -> set[str]:
    """IAM actions for the AWS calls `handler` ("package.module.function") can make."""
    nodes, libraries = _reached(handler)
    found = _actions(_services(nodes), _calls(nodes))
    for library in libraries:
        found |= _library_actions(library.module.__name__)
    return found


if __name__ == "__main__":  # python tests/infra/aws_calls.py agent_actions.handlers.notes.handler ...
    sys.path.insert(0, str(FUNCTIONS))
    for handler in sys.argv[1:]:
        print(handler, sorted(actions(handler)))
