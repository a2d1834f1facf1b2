"""Mutants of a task's solution: small AST changes that a good set of tests must notice.

Every expression or statement that lies inside one of the task's TASK regions (and inside a
function) gets the changes below; each one is a **mutant**, named by the function and the
code it changes, e.g. "PowScalar.backward: `p - 1` -> `p + 1`". Mutants whose
function comes out identical (as an AST) to the solution's or to an earlier mutant's are
dropped. The operators:

- sign: `-x` -> `x`, `not x` -> `x`, `if c:` -> `if not c:`
- arithmetic: + - * / @ ** // swapped for a neighbour (`*` -> `/`, `@` -> `*`, ...)
- comparison: `<` -> `<=`, `==` -> `!=`, `is` -> `is not`, `in` -> `not in`, ...
- constants: an int n -> n + 1 and n - 1 (axes, indices, off-by-one), a float c -> c + 1,
  True <-> False
- a dropped term: `a + b` -> `a` and `b`, `a - b` -> `a` and `-b`, `a * b` -> `a` and `b`,
  `a / b` -> `a`, `a and b` -> `a` and `b`, `x.T` -> `x`, a keyword argument left out,
  a call statement, `continue` or `+=` statement deleted
- swapped operands: `a - b` -> `b - a` (also / @ ** //), the first two arguments of a call
  (not of a commutative one such as np.maximum), neighbours in a tuple (`return a, b`),
  the branches of `x if c else y`
- accumulation: `x += y` -> `x = y` and `x -= y`; `range(n)` -> `range(n + 1)`, `range(n - 1)`

A mutant is addressed by (file, position of the node in ast.walk order, variant), so the
mutation worker rebuilds exactly the same one from the same file.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Tuple

from .markers import Region

BINARY = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.MatMult: ast.Mult, ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv}
NOT_COMMUTATIVE = (ast.Sub, ast.Div, ast.MatMult, ast.Pow, ast.FloorDiv, ast.Mod)
COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
           ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
           ast.NotIn: ast.In}
AUGMENTED = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
# calls whose first two arguments can be swapped without changing the result
COMMUTATIVE_CALLS = {"maximum", "minimum", "max", "min", "add", "multiply", "hypot",
                     "logical_and", "logical_or", "isclose", "allclose", "array_equal",
                     "swapaxes"}
TEXT_WIDTH = 60


@dataclass(frozen=True)
class Mutant:
    """One change to a task's solution."""
    task: str
    path: str
    qualname: str     # the function whose code the mutant replaces
    line: int
    id: str           # "PowScalar.backward: `p - 1` -> `p + 1`"
    node: int         # position of the changed node in ast.walk(module)
    variant: int      # which of that node's changes


def _text(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= TEXT_WIDTH else text[:TEXT_WIDTH - 3] + "..."


def _binop(left, op, right) -> ast.BinOp:
    return ast.BinOp(left=left, op=op, right=right)


def _expression_variants(node: ast.AST) -> List[ast.AST]:
    """What an expression node may become."""
    c = copy.deepcopy
    out: List[ast.AST] = []
    if isinstance(node, ast.BinOp):
        kind = type(node.op)
        if kind in BINARY:
            out.append(_binop(c(node.left), BINARY[kind](), c(node.right)))
        if kind in (ast.Add, ast.Mult):
            out += [c(node.left), c(node.right)]
        elif kind is ast.Sub:
            out += [c(node.left), ast.UnaryOp(op=ast.USub(), operand=c(node.right))]
        elif kind is ast.Div:
            out.append(c(node.left))
        if kind in NOT_COMMUTATIVE:
            out.append(_binop(c(node.right), node.op.__class__(), c(node.left)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        out.append(c(node.operand))
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in COMPARE:
                new = c(node)
                new.ops[i] = COMPARE[type(op)]()
                out.append(new)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        out.append(ast.BoolOp(op=other, values=c(node.values)))
        out += [c(value) for value in node.values]
    elif isinstance(node, ast.Constant) and type(node.value) in (bool, int, float):
        if isinstance(node.value, bool):
            out.append(ast.Constant(not node.value))
        elif isinstance(node.value, int):
            out += [ast.Constant(node.value + 1), ast.Constant(node.value - 1)]
        else:
            out.append(ast.Constant(node.value + 1.0))
    elif isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        out.append(c(node.value))
    elif isinstance(node, ast.Call):
        out += _call_variants(node)
    elif isinstance(node, ast.Tuple) and len(node.elts) >= 2 and \
            not any(isinstance(e, ast.Starred) for e in node.elts):
        for i in range(len(node.elts) - 1):
            new = c(node)
            new.elts[i], new.elts[i + 1] = new.elts[i + 1], new.elts[i]
            out.append(new)
    elif isinstance(node, ast.IfExp):
        out.append(ast.IfExp(test=c(node.test), body=c(node.orelse), orelse=c(node.body)))
    return out


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _call_variants(node: ast.Call) -> List[ast.AST]:
    c, out = copy.deepcopy, []
    for i, keyword in enumerate(node.keywords):
        if keyword.arg is not None:
            new = c(node)
            del new.keywords[i]
            out.append(new)
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    name = _call_name(node)
    if len(positional) == len(node.args) >= 2 and name not in COMMUTATIVE_CALLS:
        new = c(node)
        new.args[0], new.args[1] = new.args[1], new.args[0]
        out.append(new)
    if name == "range" and 1 <= len(node.args) <= 3:
        stop = 0 if len(node.args) == 1 else 1
        if not isinstance(node.args[stop], ast.Constant):
            for op in (ast.Add(), ast.Sub()):
                new = c(node)
                new.args[stop] = _binop(new.args[stop], op, ast.Constant(1))
                out.append(new)
    return out


def _statement_variants(node: ast.stmt) -> List[Tuple[str, ast.AST]]:
    """(description, replacement) of a statement."""
    c, out = copy.deepcopy, []
    if isinstance(node, ast.AugAssign):
        assign = ast.Assign(targets=[c(node.target)], value=c(node.value), type_comment=None,
                            lineno=node.lineno)
        out.append((f"`{_text(node)}` -> `{_text(assign)}`", assign))
        if type(node.op) in AUGMENTED:
            new = ast.AugAssign(target=c(node.target), op=AUGMENTED[type(node.op)](),
                                value=c(node.value))
            out.append((f"`{_text(node)}` -> `{_text(new)}`", new))
    if isinstance(node, (ast.AugAssign, ast.Continue, ast.Break)) or \
            (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        out.append((f"delete `{_text(node)}`", ast.Pass()))
    if isinstance(node, ast.If) and not isinstance(node.test, ast.Compare):
        negated = ast.UnaryOp(op=ast.Not(), operand=c(node.test))
        new = ast.If(test=negated, body=c(node.body), orelse=c(node.orelse))
        out.append((f"`if {_text(node.test)}` -> `if {_text(negated)}`", new))
    return out


def variants(node: ast.AST) -> List[Tuple[str, ast.AST]]:
    """(description, replacement) for every change of `node`."""
    if isinstance(node, ast.stmt):
        return _statement_variants(node)
    if isinstance(node, ast.expr) and not isinstance(getattr(node, "ctx", None), ast.Del):
        return [(f"`{_text(node)}` -> `{_text(new)}`", new) for new in
                _expression_variants(node)]
    return []


def functions(module: ast.Module) -> Iterator[Tuple[str, ast.AST]]:
    """(qualname, def) of module-level functions and of methods of module-level classes."""
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{item.name}", item


def replace(tree: ast.AST, node_index: int, replacement: ast.AST) -> ast.AST:
    """A copy of `tree` with its node number `node_index` (ast.walk order) replaced."""
    new = copy.deepcopy(tree)
    target = next(n for i, n in enumerate(ast.walk(new)) if i == node_index)
    replacement = ast.copy_location(copy.deepcopy(replacement), target)
    for parent in ast.walk(new):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, replacement)
                return ast.fix_missing_locations(new)
            if isinstance(value, list) and any(child is target for child in value):
                value[[i for i, child in enumerate(value) if child is target][0]] = replacement
                return ast.fix_missing_locations(new)
    raise ValueError("course: a mutant's node has no parent")  # the root itself


def generate(root: Path, task_id: str, regions: Dict[str, Sequence[Region]]) -> List[Mutant]:
    """Every distinct mutant of `task_id`'s regions, in file and line order."""
    mutants, ids = [], {}
    for path in sorted(regions):
        spans = [(r.begin + 2, r.end) for r in regions[path] if r.task == task_id and not r.hide]
        if not spans:
            continue
        module = ast.parse((Path(root) / path).read_text(encoding="utf-8"), path)
        position = {id(node): i for i, node in enumerate(ast.walk(module))}
        for qualname, function in functions(module):
            original, seen = ast.dump(function), set()
            for local, node in enumerate(ast.walk(function)):
                if not hasattr(node, "lineno") or not any(
                        first <= node.lineno and node.end_lineno <= last for first, last in spans):
                    continue
                for variant, (description, new) in enumerate(variants(node)):
                    changed = ast.dump(replace(function, local, new))
                    if changed == original or changed in seen:
                        continue
                    seen.add(changed)
                    name = f"{qualname}: {description}"
                    ids[name] = ids.get(name, 0) + 1
                    if ids[name] > 1:
                        name += f" (#{ids[name]})"
                    mutants.append(Mutant(task_id, path, qualname, node.lineno, name,
                                          position[id(node)], variant))
    return mutants


def mutated_module(root: Path, mutant: Mutant) -> ast.Module:
    """The module of `mutant.path` with the mutant's change made."""
    module = ast.parse((Path(root) / mutant.path).read_text(encoding="utf-8"), mutant.path)
    node = next(n for i, n in enumerate(ast.walk(module)) if i == mutant.node)
    return replace(module, mutant.node, variants(node)[mutant.variant][1])
