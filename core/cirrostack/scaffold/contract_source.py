"""Source code of a class that fills in a contract: every method, its docstring taken from the contract.

The contract's own source is parsed (with `ast`), so signatures are written exactly as the
contract declares them and the names they use are imported from where the contract got them.
Abstract methods and capability-gated methods (whose contract version only raises
UnsupportedOperation) get a body raising NotImplementedError; methods with a working default in
the contract call it through `super()`.
"""

from __future__ import annotations

import ast
import builtins
import enum
import inspect
import sys
import textwrap
from dataclasses import dataclass

from cirrostack.hookspecs._capability import requirements

MAX_LINE = 120


class MethodStyle(enum.Enum):
    ABSTRACT = "abstract"  # must be implemented
    GATED = "gated"  # optional: the contract's version raises UnsupportedOperation
    DEFAULT = "default"  # the contract's version works; overriding is optional


@dataclass(frozen=True)
class ContractMethod:
    name: str
    node: ast.FunctionDef
    docstring: str
    style: MethodStyle
    gating: tuple[str, ...]  # capabilities that must be declared true for the method to be called


def _is_abstract(node: ast.FunctionDef) -> bool:
    return any(ast.unparse(decorator).endswith("abstractmethod") for decorator in node.decorator_list)


def _only_refuses(node: ast.FunctionDef) -> bool:
    body = [stmt for stmt in node.body if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        return False
    raised = body[0].exc
    target = raised.func if isinstance(raised, ast.Call) else raised
    return isinstance(target, ast.Name) and target.id == "UnsupportedOperation"


def _class_node(contract: type) -> ast.ClassDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(contract)))
    node = tree.body[0]
    assert isinstance(node, ast.ClassDef)
    return node


def contract_methods(contract: type) -> list[ContractMethod]:
    """The public methods `contract` declares, in the order it declares them."""
    methods = []
    for node in _class_node(contract).body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        if _is_abstract(node):
            style = MethodStyle.ABSTRACT
        elif _only_refuses(node):
            style = MethodStyle.GATED
        else:
            style = MethodStyle.DEFAULT
        gating = tuple(r.capability for r in requirements(contract, node.name) if r.when is None and _no_member(r))
        methods.append(ContractMethod(node.name, node, ast.get_docstring(node, clean=True) or "", style, gating))
    return methods


def _no_member(requirement: object) -> bool:
    member = getattr(requirement, "member", None)
    return member is None or type(member) is object  # the "not set" sentinel of `requires`


# -- rendering -----------------------------------------------------------------------------------


def _docstring(text: str, indent: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = escaped.splitlines() or [""]
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{body}\n{indent}"""\n'


def _signature(method: ContractMethod) -> str:
    parts = _argument_parts(method.node.args)
    returns = f" -> {ast.unparse(method.node.returns)}" if method.node.returns else ""
    line = f"    def {method.name}({', '.join(parts)}){returns}:"
    if len(line) <= MAX_LINE:
        return line + "\n"
    inner = "".join(f"        {part},\n" for part in parts)
    return f"    def {method.name}(\n{inner}    ){returns}:\n"


def _parameter(arg: ast.arg, default: ast.expr | None, prefix: str = "") -> str:
    text = prefix + arg.arg
    if arg.annotation is not None:
        text += f": {ast.unparse(arg.annotation)}"
        return text + (f" = {ast.unparse(default)}" if default is not None else "")
    return text + (f"={ast.unparse(default)}" if default is not None else "")


def _argument_parts(args: ast.arguments) -> list[str]:
    """Each parameter as the contract writes it, with `/` and `*` markers where it has them."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    parts = [_parameter(arg, default) for arg, default in zip(positional, defaults, strict=True)]
    if args.posonlyargs:
        parts.insert(len(args.posonlyargs), "/")
    if args.vararg:
        parts.append(_parameter(args.vararg, None, "*"))
    elif args.kwonlyargs:
        parts.append("*")
    parts += [_parameter(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    if args.kwarg:
        parts.append(_parameter(args.kwarg, None, "**"))
    return parts


def _super_call(method: ContractMethod) -> str:
    args = method.node.args
    passed = [a.arg for a in (*args.posonlyargs, *args.args)][1:]  # without self
    if args.vararg:
        passed.append(f"*{args.vararg.arg}")
    passed += [f"{a.arg}={a.arg}" for a in args.kwonlyargs]
    if args.kwarg:
        passed.append(f"**{args.kwarg.arg}")
    return f"return super().{method.name}({', '.join(passed)})"


def render_method(method: ContractMethod, owner: str) -> str:
    """One method of the generated class: signature, the contract's docstring, a body."""
    source = _signature(method) + _docstring(method.docstring, " " * 8)
    if method.style is MethodStyle.DEFAULT:
        source += (f"        # The contract's default; replace it only where {owner} must work\n"
                   "        # differently.\n"
                   f"        {_super_call(method)}\n")
        return source
    if method.style is MethodStyle.GATED:
        needs = ", ".join(method.gating) or "a capability"
        source += (f"        # Optional: called only when `capabilities` declares {needs}. If {owner} does\n"
                   "        # not declare it, delete this method: the contract's version refuses with\n"
                   "        # UnsupportedOperation.\n")
    source += f'        raise NotImplementedError("{method.name}: not implemented yet")\n'
    return source


# -- imports -------------------------------------------------------------------------------------


def _names_used(methods: list[ContractMethod]) -> set[str]:
    used: set[str] = set()
    for method in methods:
        args = method.node.args
        nodes: list[ast.AST | None] = [method.node.returns, *args.defaults, *args.kw_defaults]
        nodes += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
                  if a is not None]
        for node in nodes:
            if node is not None:
                used.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    return used


def import_statements(contract: type, methods: list[ContractMethod], extra: dict[str, object]) -> list[str]:
    """`import`/`from ... import` lines for every name the methods' signatures use, plus `extra`
    (name -> object), grouped and sorted the way isort and ruff expect."""
    namespace = vars(sys.modules[contract.__module__])
    wanted: dict[str, object] = {}
    for name in sorted(_names_used(methods)):
        if name in namespace:
            wanted[name] = namespace[name]
        elif not hasattr(builtins, name):
            raise LookupError(f"{contract.__qualname__} uses {name!r}, which its module does not define")
    wanted.update(extra)
    plain: dict[str, set[str]] = {}
    from_imports: dict[str, set[str]] = {}
    for name, obj in wanted.items():
        if inspect.ismodule(obj):
            plain.setdefault(obj.__name__, set()).add(name)
            continue
        from_imports.setdefault(_home_module(name, obj, contract.__module__), set()).add(name)

    sections: dict[bool, list[str]] = {True: [], False: []}  # stdlib or not
    for module, aliases in sorted(plain.items()):
        for alias in sorted(aliases):
            line = f"import {module}" if alias == module else f"import {module} as {alias}"
            sections[_is_stdlib(module)].append(line)
    for module, names in sorted(from_imports.items()):
        sections[_is_stdlib(module)].append(_from_line(module, sorted(names, key=_isort_key)))
    return [*sections[True], *([""] if sections[True] and sections[False] else []), *sections[False]]


def _home_module(name: str, obj: object, fallback: str) -> str:
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str) or any(part.startswith("_") for part in module.split(".")):
        return fallback
    return module if getattr(sys.modules.get(module), name, None) is obj else fallback


def _is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then everything else, as isort's order-by-type sorts them."""
    if name.isupper() and len(name) > 1:
        return 0, name
    return (1 if name[0].isupper() else 2), name


def _from_line(module: str, names: list[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= MAX_LINE:
        return line
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")"
