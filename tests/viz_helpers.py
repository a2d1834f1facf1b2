"""Helpers shared by the tests of tinygrad_res.viz: read back the DOT that draw_graph writes."""
import re

from conftest import import_optional, missing_optional

NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\]$")


def parse_dot(source: str) -> dict:
    """{'nodes': {id: attrs}, 'edges': [(u, v, attrs)], 'clusters': {cluster: [ids]},
    'parent': {cluster: enclosing cluster or None}} from draw_graph's DOT text."""
    nodes, edges, clusters, parent, stack = {}, [], {}, {}, []
    for line in source.splitlines():
        opened = re.match(r"^\s*subgraph (\w+) \{$", line)
        if opened:
            name = opened.group(1)
            clusters[name], parent[name] = [], (stack[-1] if stack else None)
            stack.append(name)
        elif line.strip() == "}":
            if stack:
                stack.pop()
        elif EDGE.match(line):
            u, v, attrs = EDGE.match(line).groups()
            edges.append((u, v, attrs))
        elif NODE.match(line) and NODE.match(line).group(1) not in ("graph", "node", "edge"):
            node, attrs = NODE.match(line).groups()
            nodes[node] = attrs
            if stack:
                clusters[stack[-1]].append(node)
    return {"nodes": nodes, "edges": edges, "clusters": clusters, "parent": parent}


def cluster_labels(source: str) -> dict:
    """cluster name -> its label."""
    found = re.findall(r'subgraph (\w+) \{\n\s*graph \[.*?label=(?:"([^"]*)"|(\w+))', source)
    return {name: quoted or bare for name, quoted, bare in found}


def require_graphviz():
    return import_optional("graphviz", "pip install graphviz (or pip install -e .[viz])")


def require_renderer(format: str = "svg") -> str:
    from tinygrad_res import viz
    try:
        return viz.find_renderer(format)
    except viz.RendererNotFound as error:
        missing_optional(str(error))
