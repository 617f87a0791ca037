// Automatic layout of a graph with ELK's layered algorithm; Parallel and Map states are
// containers laid out with their children.
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkNode, ElkExtendedEdge } from "elkjs/lib/elk-api";
import type { Graph } from "./asl";

const elk = new ELK();

export const STATE_W = 180;
export const STATE_H = 42;
const MARK = 64;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const CONTAINER_OPTIONS = {
  "elk.padding": "[top=34,left=14,bottom=14,right=14]",
  "elk.direction": "DOWN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "36",
  "elk.spacing.nodeNode": "24",
};

/** Boxes of every node, relative to its parent (as React Flow wants them). */
export async function layout(graph: Graph): Promise<Map<string, Box>> {
  const elkNodes = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "40",
      "elk.spacing.nodeNode": "28",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.edgeRouting": "ORTHOGONAL",
    },
    children: [],
    edges: [],
  };
  const containers = new Set(graph.nodes.map((n) => n.parent).filter(Boolean) as string[]);
  for (const n of graph.nodes) {
    const mark = n.type === "start" || n.type === "end";
    const node: ElkNode = containers.has(n.id)
      ? { id: n.id, children: [], edges: [], layoutOptions: CONTAINER_OPTIONS }
      : { id: n.id, width: mark ? MARK : STATE_W, height: mark ? 28 : STATE_H };
    elkNodes.set(n.id, node);
    const parent = n.parent ? elkNodes.get(n.parent)! : root;
    parent.children!.push(node);
  }
  const parentOf = new Map(graph.nodes.map((n) => [n.id, n.parent]));
  for (const e of graph.edges) {
    // An edge belongs to the container that holds both of its ends.
    const owner = parentOf.get(e.source);
    const container = owner ? elkNodes.get(owner)! : root;
    (container.edges as ElkExtendedEdge[]).push({ id: e.id, sources: [e.source], targets: [e.target] });
  }
  const result = await elk.layout(root);
  const boxes = new Map<string, Box>();
  const walk = (node: ElkNode) => {
    for (const child of node.children ?? []) {
      boxes.set(child.id, { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? STATE_W, height: child.height ?? STATE_H });
      walk(child);
    }
  };
  walk(result);
  return boxes;
}
