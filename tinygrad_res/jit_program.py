"""From a recording to its replay: straight-line Python that calls the ops' forward and backward.

The training step of a residual MLP (loss, zero_grad, backward, step) replays as
(`train_step.source`, abridged):

    def replay(x0):
        linear0 = op0.forward(x0.data, w0.data, w1.data)         # Linear at nets/layers.py:52
        relu1 = op1.forward(linear0); del linear0                # ReLU at nets/layers.py:61
        add2 = op2.forward(x0.data, relu1); del relu1            # Add at nets/mlp.py:47
        ...
        sub15 = op15.forward(add14, x0.data); del add14          # Sub at nets/losses.py:54
        mul16 = op16.forward(sub15, sub15); del sub15            # Mul at nets/losses.py:55
        mean17 = asarray(op17.forward(mul16, axis=None, keepdims=False)); del mul16
        call0()                                                  # Optimizer.zero_grad at ...
        d_mean17 = ones_like(mean17)                             # mean17.backward()
        d_mul16 = op17.backward(d_mean17); del d_mean17
        d_sub15, r1 = op16.backward(d_mul16); del d_mul16
        d_sub15 = d_sub15 + r1; del r1
        d_add14, _ = op15.backward(d_sub15); del d_sub15
        d_add11, d_relu13 = op14.backward(d_add14); del d_add14
        d_linear12 = op13.backward(d_relu13); del d_relu13
        r0, d_w8, d_w9 = op12.backward(d_linear12); del d_linear12
        d_add11 = d_add11 + r0
        w9.grad = d_w9 if w9.grad is None else w9.grad + d_w9; del d_w9
        ...
        call1()                                                  # SGD.step at ...
        return detached(mean17, None)

`opN` are Function objects made once, at recording; each replay calls their forward and backward
on the new arrays, in the order eager mode did. `x0` is the Tensor argument, `w0` ... the
parameters, read (`.data`) where an op uses them, as eager mode does. Everything eager mode
decides per call from shapes and dtypes alone (which ops run, which inputs need a gradient,
where a gradient must be unbroadcast or copied, in which order contributions add up) was decided
once, here: a `fit_gradient(...)` line appears only where eager mode's fit_gradient changed
something, and backprop's walk is unrolled into the lines after `.backward()`.
"""
from __future__ import annotations

import functools
import linecache
import math
import re
from typing import List, Optional

import numpy as np

from .function import fit_gradient, topological_order
from .jit_record import (BackwardRecord, CallRecord, JitError, OpRecord, Recording, Value,
                         same_value)
from .tensor import Tensor

NAME = re.compile(r"[A-Za-z_]\w*")
MASK_PROBLEM = ("a boolean mask that may change between calls indexes a tensor: how many entries "
                "it picks, and so the shapes after it, could change, and a replay assumes the "
                "recorded shapes. Pick with integer positions (np.flatnonzero(mask)), an argument "
                "whose shape is part of the cache key")
HELPERS = {"asarray": np.asarray, "ones_like": np.ones_like, "array": np.array,
           "fit_gradient": fit_gradient, "detached": Tensor._from_op}


def input_stand_in(requires_grad: bool) -> Tensor:
    """An op's input as its replay sees it: an empty tensor with the input's requires_grad
    (what `needs_input_grad` reads); the arrays come as arguments of forward."""
    stand_in = Tensor._from_op(np.zeros(0), None)
    stand_in.requires_grad = requires_grad
    return stand_in


class GradTarget:
    """What fit_gradient reads of the tensor a gradient is for: its shape and dtype (also as a
    `data` array of that shape and dtype, broadcast from one number) and whether it is a leaf."""

    __slots__ = ("shape", "dtype", "data", "grad_fn")

    def __init__(self, tensor: Tensor) -> None:
        self.shape, self.dtype = tensor.shape, tensor.dtype
        self.data = np.broadcast_to(np.zeros((), self.dtype), self.shape)
        self.grad_fn = None if tensor.grad_fn is None else "op"

    def __eq__(self, other) -> bool:
        return isinstance(other, GradTarget) and (self.shape, self.dtype, self.grad_fn) == \
            (other.shape, other.dtype, other.grad_fn)


class Program:
    """The replay of one recording: its source lines and the objects they name.

    `shared` lists, in order of first use, every object the source refers to by name (ops,
    leaf tensors, constants, rerun calls): two recordings replay alike when their code is the
    same and these match (`differences`).
    """

    def __init__(self, rec: Recording) -> None:
        self.title = rec.title
        self.params = [value.name for value in rec.inputs]
        self.lines: List[tuple] = []  # (code, note)
        self.namespace = dict(HELPERS)
        self.shared: List[tuple] = []  # (kind, name, what to compare, note)
        self.persistent: List[Tensor] = []  # leaves made before the call: read fresh
        self._rec, self._used = rec, set()
        self._op_names, self._grad_names, self._counts = {}, set(), {}
        for event in rec.events:
            if isinstance(event, OpRecord):
                self._forward(event)
            elif isinstance(event, BackwardRecord):
                self._backward(event)
            else:
                self._call(event)
        self.lines.append((f"return {self._output(rec.output)}", ""))
        for value in rec.inputs:
            if value.kind == "array" and value.position not in self._used:
                raise JitError(
                    f"{rec.title}: argument {value.position} is a numpy array that no op "
                    f"received as it is (only an op's option, such as cross_entropy's class "
                    f"labels, can take an array argument); the replay could not give the "
                    f"function the next call's array. Pass it as a Tensor")
        self._rec = None  # the recorded graph may go: the program refers only to what it names

    # ----- names ----------------------------------------------------------------------------
    def _bind(self, kind: str, prefix: str, obj, compare, note: str = "", name: str = "") -> str:
        if not name:
            name = f"{prefix}{self._counts.get(kind, 0)}"
            self._counts[kind] = self._counts.get(kind, 0) + 1
        self.namespace[name] = obj
        self.shared.append((kind, name, compare, note))
        return name

    def _use(self, value: Value) -> str:
        """The expression for `value`'s array: an argument's or leaf's is read from its tensor
        where it is used (`w3.data`), as eager mode reads .data when an op runs."""
        if value.kind == "array":
            self._used.add(value.position)
        elif value.kind in ("input", "leaf"):
            return f"{self._holder(value)}.data"
        return value.name

    def _holder(self, value: Value) -> str:
        """The name of the tensor whose .data `value` is: an argument (x0) or a leaf (w3 for
        one that requires grad, c4 for a constant), bound when first used."""
        if value.kind == "leaf" and value.name not in self.namespace:
            self._bind("leaf", "", value.tensor, value.tensor, value.name, name=value.name)
        return value.name

    def _expr(self, obj) -> str:
        """Source for an option or constant: a literal, a recorded array's variable, or a name
        bound to the object itself."""
        if isinstance(obj, Value):
            return self._use(obj)
        if isinstance(obj, (np.ndarray, Tensor)):
            value = self._rec.values.get(id(obj.data if isinstance(obj, Tensor) else obj))
            if value is not None:
                return self._dynamic_option(obj, value)
        if obj is None or obj is Ellipsis or type(obj) in (bool, int, str) or \
                (type(obj) is float and math.isfinite(obj)):
            return repr(obj)
        if type(obj) in (tuple, list):
            parts = [self._expr(item) for item in obj]
            if type(obj) is list:
                return "[" + ", ".join(parts) + "]"
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        if type(obj) is slice:
            parts = [self._expr(part) for part in (obj.start, obj.stop, obj.step)]
            return f"slice({', '.join(parts)})"
        return self._bind("constant", "k", obj, obj, type(obj).__name__)

    def _dynamic_option(self, obj, value: Value) -> str:
        """An option that is an argument's or a tensor's array (class labels), or the tensor
        itself (a mask): the replay passes this call's."""
        if obj.dtype == np.bool_:
            raise JitError(f"{self.title}: {MASK_PROBLEM}")
        if not isinstance(obj, Tensor):
            return self._use(value)
        if value.kind == "op":
            raise JitError(f"{self.title}: an op's option is a tensor computed inside the "
                           f"function; the replay has no tensors, only their arrays")
        return self._holder(value)

    def _grad_name(self, tensor: Tensor) -> str:
        value = self._rec.values.get(id(tensor.data))
        name = f"d_{value.name if value is not None else 'tensor'}"
        while name in self._grad_names:
            name += "_"
        self._grad_names.add(name)
        return name

    # ----- events ---------------------------------------------------------------------------
    def _forward(self, op: OpRecord) -> None:
        fn = op.cls()
        fn.parents = tuple(input_stand_in(flag) for flag in op.requires_grad)
        name = self._bind("op", "op", fn, (op.cls, op.requires_grad), op.site)
        if op.fn is not None:
            self._op_names[id(op.fn)] = name
        arguments = [self._use(value) for value in op.inputs]
        arguments += [f"{key}={self._expr(option)}" for key, option in op.options.items()]
        call = f"{name}.forward({', '.join(arguments)})"
        if op.zero_dim:  # Function.apply makes a numpy scalar (a forward's 0-d result) an array
            call = f"asarray({call})"
        self.lines.append((f"{op.output.name} = {call}", f"{op.cls.__name__} at {op.site}"))

    def _backward(self, record: BackwardRecord) -> None:
        """backprop's walk, resolved: the same order, the same sums, the same .grad writes."""
        root = self._rec.value_of(record.root)
        grads = {id(record.root): self._grad_name(record.root)}
        if record.seed is None:
            seed = f"ones_like({self._use(root)})"
        else:
            seed = f"array({self._expr(record.seed)}, dtype={self._expr(record.root.dtype)})"
        self.lines.append((f"{grads[id(record.root)]} = {seed}", f"{root.name}.backward()"))
        steps = iter(record.steps)
        for tensor in reversed(topological_order(record.root)):
            grad = grads.get(id(tensor))
            if grad is None:  # a constant, or no op sent it anything
                continue
            value = self._rec.values.get(id(tensor.data))
            if value is not None and value.kind in ("input", "leaf"):
                holder = self._holder(value)
                self.lines.append((f"{holder}.grad = {grad} if {holder}.grad is None "
                                   f"else {holder}.grad + {grad}", ""))
            fn = tensor.grad_fn
            if fn is None:
                continue
            step_fn, grad_output, result = next(steps)
            if step_fn is not fn:
                raise JitError(f"{self.title}: the recorded backward pass ran its ops in an "
                               f"order the jit does not know (a change to backprop?)")
            self._backward_step(fn, grad, grad_output, result, grads)

    def _backward_step(self, fn, grad: str, grad_output, result, grads: dict) -> None:
        """One op's backward, then backprop's handling of each input's gradient: fitted to
        the input (only where fit_gradient changes it) and added to what it has so far."""
        results = result if type(result) is tuple else (result,)
        targets, after = ["_"] * len(results), []
        for i, (parent, parent_grad) in enumerate(zip(fn.parents, results)):
            if parent_grad is None or not parent.requires_grad:
                continue
            fits = fit_gradient(parent_grad, parent, grad_output) is parent_grad
            if fits and id(parent) not in grads:  # its first gradient, as it is: name it so
                grads[id(parent)] = targets[i] = self._grad_name(parent)
                continue
            targets[i] = term = f"r{i}"
            if not fits:
                target = self._bind("target", "target", GradTarget(parent), GradTarget(parent))
                term = f"fit_gradient({term}, {target}, {grad})"
            if id(parent) not in grads:
                grads[id(parent)] = self._grad_name(parent)
                after.append(f"{grads[id(parent)]} = {term}")
            else:
                after.append(f"{grads[id(parent)]} = {grads[id(parent)]} + {term}")
        if type(result) is tuple:
            left = ", ".join(targets) + ("," if len(targets) == 1 else "")
        else:
            left = targets[0]
        self.lines.append((f"{left} = {self._op_names[id(fn)]}.backward({grad})", ""))
        self.lines += [(line, "") for line in after]

    def _call(self, record: CallRecord) -> None:
        call = functools.partial(record.method, *record.args, **record.kwargs)
        name = self._bind("call", "call", call, (record.method, record.args, record.kwargs),
                          record.site)
        self.lines.append((f"{name}()", f"{record.method.__qualname__} at {record.site}"))

    def _output(self, obj) -> str:
        if isinstance(obj, Tensor):
            return f"detached({self._use(self._rec.value_of(obj))}, None)"
        if type(obj) in (tuple, list):
            parts = [self._output(item) for item in obj]
            if type(obj) is list:
                return "[" + ", ".join(parts) + "]"
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        if type(obj) is dict:
            return "{" + ", ".join(f"{self._expr(k)}: {self._output(v)}"
                                   for k, v in obj.items()) + "}"
        return self._expr(obj)

    # ----- the result ---------------------------------------------------------------------------
    def source(self) -> str:
        lines = self._with_deletions()
        width = min(max([len(code) for code, note in lines if note] + [0]), 64)
        body = [f"    {code:<{width}}  # {note}" if note else f"    {code}"
                for code, note in lines]
        return "\n".join([f"def replay({', '.join(self.params)}):"] + body) + "\n"

    def _with_deletions(self) -> list:
        """The lines, each followed by `del` of the variables it uses for the last time: their
        arrays go back to numpy as soon as they are dead, as in a hand-written step (which
        rebinds its `delta`). A replay that kept them all to the end ran W1 ~10% slower."""
        assigned, last_use = set(), {}
        for i, (code, _) in enumerate(self.lines):
            left, equals, _ = code.partition(" = ")
            if equals and "." not in left:
                assigned.update(NAME.findall(left))
            for name in NAME.findall(code):
                last_use[name] = i
        dying: dict = {}
        for name, i in last_use.items():
            if name in assigned and name != "_" and not self.lines[i][0].startswith("return"):
                dying.setdefault(i, []).append(name)
        return [(code + ("; del " + ", ".join(sorted(dying[i])) if i in dying else ""), note)
                for i, (code, note) in enumerate(self.lines)]

    def compile(self):
        """The replay as a Python function (its source shows in tracebacks)."""
        source = self.source()
        filename = f"<jit replay of {self.title} at {id(self):#x}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), self.namespace)
        return self.namespace["replay"]


def differences(first: Program, second: Program) -> Optional[str]:
    """Why two recordings of one function with the same argument shapes cannot share a replay
    (None when they can); fills `second.persistent` with the leaves both calls share."""
    for i in range(max(len(first.lines), len(second.lines))):
        a = first.lines[i] if i < len(first.lines) else ("(nothing)", "")
        b = second.lines[i] if i < len(second.lines) else ("(nothing)", "")
        if a[0] != b[0]:
            return (f"its first two recorded calls ran different operations, from line {i + 1} "
                    f"of the replay on: the first ran `{a[0]}` ({a[1] or 'no note'}), the second "
                    f"`{b[0]}` ({b[1] or 'no note'}). Python control flow that depends on the "
                    f"data or on a counter changes what a call runs; the jit replays one fixed "
                    f"sequence. Keep such code outside the jitted function")
    for (kind, name, a, note), (_, _, b, _) in zip(first.shared, second.shared):
        problem = _mismatch(kind, a, b)
        if problem:
            return f"{problem} ({name} in the replay's source: {note})"
        if kind == "leaf" and a is b:
            second.persistent.append(b)
    return None


def _mismatch(kind: str, a, b) -> Optional[str]:
    if kind == "op":
        return None if a[0] is b[0] and a[1] == b[1] else "an op differs between the two calls"
    if kind == "call":
        same = a[0] is b[0] and len(a[1]) == len(b[1]) and a[2].keys() == b[2].keys() and \
            all(same_value(x, y) for x, y in zip(a[1] + tuple(a[2].values()),
                                                 b[1] + tuple(b[2].values())))
        return None if same else "a @rerun_on_replay call differs between the two calls"
    if kind == "leaf":
        if a is b:
            return None
        if a.requires_grad or b.requires_grad:
            return ("a tensor with requires_grad=True is made inside the jitted function: "
                    "the replay could not give the next call's tensor its gradient; make "
                    "parameters outside it")
        if same_value(a.data, b.data):
            return None
        return ("a tensor made inside the jitted function holds different values in the two "
                "calls: it was computed from data outside the graph (numpy on .data, or an "
                "argument copied into Tensor(...)), and a replay would keep the first values. "
                "Pass it as a Tensor argument, or compute it with tensor ops")
    if a is b and getattr(a, "dtype", None) == np.bool_:
        return MASK_PROBLEM  # the same array in both calls: it may change before the next
    if same_value(a, b):
        return None
    return ("an op option or constant differs between the two calls (computed from the data? "
            "a replay would keep the value it was recorded with)")
