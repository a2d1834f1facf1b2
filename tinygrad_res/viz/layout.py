"""What a drawing shows: which node each tensor and op becomes, the boxes, and the edges.

Kept apart from the DOT output (graph.py) so that the step-through view can map a step's
tensors and ops to the nodes on screen, including blocks drawn collapsed into a single node.

Clusters come from `scope()` frames recorded on each op, or from a mapping passed in. A leaf
that needs a gradient and is used by one op only (a layer's weight or bias) sits in that op's
box; a leaf used in several places (the block input) or a constant stays outside.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Union

from .scope import ScopeFrame, parent_chain
from .walk import GraphIndex, Names

ClusterSpec = Union[str, None, Mapping, Callable]


@dataclass(eq=False)
class Cluster:
    """A scope frame as drawn: a box around its nodes, or one node when collapsed."""
    node_id: str                       # 'cluster_3' for a box, 'c3' for a collapsed node
    label: str
    frame: ScopeFrame
    parent: Optional["Cluster"]
    collapsed: bool
    members: list = field(default_factory=list)  # ids of nodes drawn directly inside
    op_count: int = 0                  # ops inside, nested scopes included


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    edge_id: str
    skip: bool = False                 # the short path of a skip connection


@dataclass
class Layout:
    index: GraphIndex
    display: dict      # tensor or op id -> id of the node that shows it (itself or a collapsed block)
    home: dict         # id of a drawn node -> the Cluster it sits in directly (or None)
    clusters: list     # every drawn Cluster, outer before inner
    edges: list
    skips: set         # (id of an add's output, input slot) of each skip connection
    frames: dict = field(default_factory=dict)    # tensor or op id -> its ScopeFrame (or None)
    by_frame: dict = field(default_factory=dict)  # ScopeFrame -> Cluster, folded ones' insides too


def edge_id(source: str, target: str, slot: int = 0) -> str:
    """The SVG id of the edge from node `source` into input `slot` of `target`."""
    return f"e_{source}_{target}_{slot}"


def _frames_from_names(name_for: Callable) -> Callable:
    """Turn 'ResMLP/block2'-style names into nested ScopeFrames (one frame per path)."""
    frames: dict = {}

    def frame_for(tensor) -> Optional[ScopeFrame]:
        name = name_for(tensor)
        if not name:
            return None
        parent = None
        path: tuple = ()
        for part in str(name).split("/"):
            path += (part,)
            if path not in frames:
                frames[path] = ScopeFrame(part, parent)
            parent = frames[path]
        return parent

    return frame_for


def _own_frame(clusters: ClusterSpec) -> Callable:
    """tensor -> the frame it was recorded in or mapped to, before the leaf rule."""
    if clusters is None or clusters is False:
        return lambda tensor: None
    if clusters == "scope":
        return lambda tensor: None if tensor.grad_fn is None else tensor.grad_fn.scope
    if isinstance(clusters, Mapping):
        return _frames_from_names(lambda tensor: clusters.get(tensor))
    if callable(clusters):
        return _frames_from_names(clusters)
    raise TypeError(f"draw_graph: clusters must be 'scope', None, a mapping "
                    f"{{tensor: name}} or a function tensor -> name, got {clusters!r}")


def _tensor_frames(index: GraphIndex, clusters: ClusterSpec) -> dict:
    own = _own_frame(clusters)
    frames = {id(t): own(t) for t in index.tensors}
    for t in index.tensors:
        users = index.consumers[id(t)]
        if frames[id(t)] is None and t.is_leaf and t.requires_grad and len(users) == 1:
            frames[id(t)] = frames[id(users[0][0])]
    return frames


def _make_clusters(frames_in_order: list, max_depth, max_clusters) -> dict:
    """frame -> Cluster, deciding which frames are drawn collapsed."""
    children: dict = {}
    for frame in frames_in_order:
        children.setdefault(frame.parent, []).append(frame)
    clusters: dict = {}
    for number, frame in enumerate(frames_in_order):
        siblings = children[frame.parent]
        same_name = [f for f in siblings if f.name == frame.name]
        label = frame.name if len(same_name) == 1 else f"{frame.name} #{same_name.index(frame) + 1}"
        too_deep = max_depth is not None and frame.depth > max_depth
        too_many = max_clusters is not None and len(siblings) > max_clusters
        collapsed = too_deep or too_many
        clusters[frame] = Cluster(f"c{number}" if collapsed else f"cluster_{number}", label,
                                  frame, clusters.get(frame.parent), collapsed)
    return clusters


def build_layout(root, clusters: ClusterSpec = "scope", max_depth: Optional[int] = None,
                 max_clusters: Optional[int] = 16, names: Names = None) -> Layout:
    """Decide the nodes, boxes and edges that draw `root`'s graph."""
    index = GraphIndex(root, names)
    frames = _tensor_frames(index, clusters)
    ordered: dict = {}  # a dict keeps first-appearance order and looks up in O(1)
    for t in index.tensors:
        for frame in reversed(parent_chain(frames[id(t)])):
            ordered.setdefault(frame, None)
    by_frame = _make_clusters(list(ordered), max_depth, max_clusters)

    display, home, node_frames = {}, {}, {}

    def place(node_id: str, frame: Optional[ScopeFrame], is_op: bool, keep: bool) -> None:
        node_frames[node_id] = frame
        chain = [by_frame[f] for f in reversed(parent_chain(frame))]  # outermost first
        for cluster in chain:
            cluster.op_count += is_op
        folded = next((c for c in chain if c.collapsed), None)
        if folded is None:
            display[node_id] = node_id
            home[node_id] = chain[-1] if chain else None
        elif keep:  # the output drawn from stays visible, beside its folded block
            display[node_id] = node_id
            home[node_id] = folded.parent
            home.setdefault(folded.node_id, folded.parent)
        else:
            display[node_id] = folded.node_id
            home[folded.node_id] = folded.parent

    for t in index.tensors:
        place(index.tensor_id(t), frames[id(t)], is_op=False, keep=t is root)
        if not t.is_leaf:
            place(index.op_id(t), frames[id(t)], is_op=True, keep=False)

    visible = [c for c in by_frame.values()
               if not any(a.collapsed for a in parent_chain(c.parent))]
    for node_id, cluster in home.items():
        if cluster is not None:
            cluster.members.append(node_id)
    skips = index.skip_slots()
    return Layout(index, display, home, visible, _edges(index, display, skips), skips,
                  node_frames, by_frame)


def _edges(index: GraphIndex, display: dict, skips: set) -> list:
    """tensor -> op for each input slot, op -> tensor for each output; skip edges marked.

    Edges inside a collapsed block vanish; edges into or out of one are drawn once.
    """
    edges, seen_folded = [], set()

    def add(source: str, target: str, slot: int, skip: bool) -> None:
        u, v = display[source], display[target]
        if u == v:
            return
        if (u, v) != (source, target):
            if (u, v) in seen_folded:
                return
            seen_folded.add((u, v))
            skip = False
        edges.append(Edge(u, v, edge_id(u, v, slot), skip))

    for t in index.tensors:
        if t.is_leaf:
            continue
        op = index.op_id(t)
        for slot, parent in enumerate(t.parents):
            add(index.tensor_id(parent), op, slot, (id(t), slot) in skips)
        add(op, index.tensor_id(t), 0, False)
    return edges
