// Automatic layout of a graph with ELK's layered algorithm; Parallel and Map states are
// containers laid out with their children. Edges get ELK's orthogonal routes, with room
// kept for their labels.
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkNode, ElkExtendedEdge, ElkPort } from "elkjs/lib/elk-api";
import type { Graph } from "./asl";

const elk = new ELK();

export const STATE_W = 180;
export const STATE_H = 42;
const MARK_W = 64;
const MARK_H = 28;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}
export interface Route {
  /** Absolute points, from the source's port to the target's. */
  points: Point[];
  /** The label's box, absolute. */
  label?: Box;
}
export interface Layout {
  /** Relative to the parent, as React Flow wants them. */
  boxes: Map<string, Box>;
  routes: Map<string, Route>;
}

const SPACING = {
  "elk.direction": "DOWN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "34",
  "elk.spacing.nodeNode": "26",
  "elk.spacing.edgeNode": "14",
  "elk.spacing.edgeEdge": "10",
  "elk.spacing.edgeLabel": "4",
  "elk.layered.spacing.edgeNodeBetweenLayers": "14",
};

const CONTAINER_OPTIONS = {
  ...SPACING,
  "elk.padding": "[top=36,left=14,bottom=14,right=14]",
  "elk.portConstraints": "FIXED_SIDE",
  // Room for the container's label: 220 wide (ELK reads it turned, as the layout goes down).
  "elk.nodeSize.constraints": "MINIMUM_SIZE",
  "elk.nodeSize.minimum": "(60, 220)",
};

function ports(id: string, width: number | undefined, height: number | undefined): ElkPort[] {
  const fixed = width !== undefined && height !== undefined;
  return [
    { id: `${id}:in`, width: 1, height: 1, ...(fixed ? { x: width / 2, y: 0 } : {}), layoutOptions: { "elk.port.side": "NORTH" } },
    { id: `${id}:out`, width: 1, height: 1, ...(fixed ? { x: width / 2, y: height - 1 } : {}), layoutOptions: { "elk.port.side": "SOUTH" } },
  ];
}

export async function layout(graph: Graph): Promise<Layout> {
  const elkNodes = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: "root",
    layoutOptions: {
      ...SPACING,
      "elk.algorithm": "layered",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.edgeLabels.placement": "CENTER",
      "elk.json.edgeCoords": "ROOT",
      "elk.json.shapeCoords": "PARENT",
      // Fewer rounds of crossing minimisation for big graphs: they are mostly chains.
      "elk.layered.thoroughness": graph.nodes.length > 100 ? "2" : "7",
    },
    children: [],
    edges: [],
  };
  const containers = new Set(graph.nodes.map((n) => n.parent).filter(Boolean) as string[]);
  for (const n of graph.nodes) {
    const mark = n.type === "start" || n.type === "end";
    const node: ElkNode = containers.has(n.id)
      ? { id: n.id, children: [], edges: [], ports: n.type === "branch" ? [] : ports(n.id, undefined, undefined), layoutOptions: CONTAINER_OPTIONS }
      : {
          id: n.id,
          width: mark ? MARK_W : STATE_W,
          height: mark ? MARK_H : STATE_H,
          ports: ports(n.id, mark ? MARK_W : STATE_W, mark ? MARK_H : STATE_H),
          layoutOptions: { "elk.portConstraints": "FIXED_POS" },
        };
    elkNodes.set(n.id, node);
    const parent = n.parent ? elkNodes.get(n.parent)! : root;
    parent.children!.push(node);
  }
  const parentOf = new Map(graph.nodes.map((n) => [n.id, n.parent]));
  for (const e of graph.edges) {
    // An edge belongs to the container that holds both of its ends.
    const owner = parentOf.get(e.source);
    const container = owner ? elkNodes.get(owner)! : root;
    const edge: ElkExtendedEdge = { id: e.id, sources: [`${e.source}:out`], targets: [`${e.target}:in`] };
    if (e.label) edge.labels = [{ id: `${e.id}:label`, text: e.label, width: Math.min(e.label.length, 40) * 6.2 + 10, height: 16 }];
    (container.edges as ElkExtendedEdge[]).push(edge);
  }
  const result = await elk.layout(root);
  const boxes = new Map<string, Box>();
  const routes = new Map<string, Route>();
  const walk = (node: ElkNode) => {
    for (const child of node.children ?? []) {
      boxes.set(child.id, { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? STATE_W, height: child.height ?? STATE_H });
      walk(child);
    }
    for (const e of (node.edges ?? []) as ElkExtendedEdge[]) {
      const s = e.sections?.[0];
      if (!s) continue;
      const l = e.labels?.[0];
      routes.set(e.id, {
        points: [s.startPoint, ...(s.bendPoints ?? []), s.endPoint],
        label: l ? { x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } : undefined,
      });
    }
  };
  walk(result);
  return { boxes, routes };
}

/** ELK's first layout is slow (its code warms up): do a small one while the page loads. */
export function warmUp() {
  const n = (id: string): ElkNode => ({ id, width: STATE_W, height: STATE_H, ports: ports(id, STATE_W, STATE_H), layoutOptions: { "elk.portConstraints": "FIXED_POS" } });
  const children = ["a", "b", "c", "d"].map(n);
  const edges: ElkExtendedEdge[] = [
    { id: "ab", sources: ["a:out"], targets: ["b:in"], labels: [{ text: "x", width: 10, height: 16 }] },
    { id: "ac", sources: ["a:out"], targets: ["c:in"] },
    { id: "bd", sources: ["b:out"], targets: ["d:in"] },
    { id: "cd", sources: ["c:out"], targets: ["d:in"] },
  ];
  const root: ElkNode = { id: "root", layoutOptions: { "elk.algorithm": "layered", "elk.edgeRouting": "ORTHOGONAL", "elk.json.edgeCoords": "ROOT" }, children, edges };
  const idle = (window as { requestIdleCallback?: (f: () => void) => void }).requestIdleCallback ?? ((f: () => void) => setTimeout(f, 0));
  idle(() => void elk.layout(root).catch(() => {}));
}
