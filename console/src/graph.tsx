// The workflow drawn as a graph: React Flow for rendering and interaction, ELK for the
// layout. The same view serves the designer (editable) and executions (statuses).
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import {
  buildGraph,
  connect,
  deleteEdge,
  deleteState,
  END,
  reconnect,
  START,
  addState,
  type Definition,
  type GraphEdge,
  type GraphNode,
} from "./asl";
import { layout, type Layout, type Point, type Route } from "./layout";

export type Status = "running" | "succeeded" | "failed" | "caught" | "cancelled" | "notreached";

export interface GraphViewProps {
  def: Definition;
  /** Status by state path (executions). */
  statuses?: Map<string, Status>;
  /** Problems by state path (validation). */
  problems?: Map<string, string[]>;
  selected?: string;
  onSelect?: (path: string | undefined) => void;
  /** Given: the graph can be edited, each edit gives a new definition. */
  onChange?: (def: Definition, select?: string) => void;
  /** Called after each layout with how long layout and render took (ms). */
  onRendered?: (ms: number, states: number) => void;
}

type NodeData = {
  node: GraphNode;
  status?: Status;
  problems?: string[];
};

/** Small glyphs that every system font has. */
const ICONS: Record<string, string> = {
  Task: "▶",
  Pass: "→",
  Choice: "◆",
  Wait: "◔",
  Parallel: "‖",
  Map: "↻",
  Succeed: "✓",
  Fail: "✕",
};

function StateNode({ data, selected }: NodeProps<Node<NodeData>>) {
  const { node, status, problems } = data;
  const cls = [
    "state-node",
    `type-${node.type.toLowerCase()}`,
    status ? `status-${status}` : "",
    problems?.length ? "has-problems" : "",
    selected ? "selected" : "",
  ].join(" ");
  return (
    <div className={cls} title={problems?.join("\n")} data-state={node.name} data-status={status ?? ""}>
      <Handle type="target" position={Position.Top} />
      <span className="state-icon" aria-hidden>
        {ICONS[node.type] ?? "•"}
      </span>
      <span className="state-name">{node.name}</span>
      <span className="state-type">{node.type}</span>
      {((node.isStart && node.parent) || node.isEnd) && (
        <span className="badges">
          {node.isStart && node.parent && <span className="badge start-badge" title="Its branch starts here">start</span>}
          {node.isEnd && <span className="badge end-badge" title="Ends here">end</span>}
        </span>
      )}
      {problems?.length ? <span className="badge problem-badge" aria-label={`${problems.length} problems`}>!</span> : null}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

function ContainerNode({ data, selected }: NodeProps<Node<NodeData>>) {
  const { node, status, problems } = data;
  const branch = node.type === "branch";
  const cls = [
    "container-node",
    branch ? "branch" : `type-${node.type.toLowerCase()}`,
    status ? `status-${status}` : "",
    problems?.length ? "has-problems" : "",
    selected ? "selected" : "",
  ].join(" ");
  return (
    <div className={cls} title={problems?.join("\n")} data-state={branch ? undefined : node.name} data-status={status ?? ""}>
      {!branch && <Handle type="target" position={Position.Top} />}
      <div className="container-label">
        {!branch && <span aria-hidden>{ICONS[node.type]} </span>}
        {node.name}
        {!branch && <span className="state-type"> {node.type === "Map" && node.state?.ItemProcessor?.ProcessorConfig?.Mode === "DISTRIBUTED" ? "Map · distributed" : node.type}</span>}
      </div>
      {(node.isEnd || problems?.length) && (
        <span className="badges">
          {node.isEnd && <span className="badge end-badge">end</span>}
          {problems?.length ? <span className="badge problem-badge container-problem">!</span> : null}
        </span>
      )}
      {!branch && <Handle type="source" position={Position.Bottom} />}
    </div>
  );
}

function MarkNode({ data }: NodeProps<Node<NodeData>>) {
  const start = data.node.type === "start";
  return (
    <div className={`mark-node ${start ? "start" : "end"}`}>
      {!start && <Handle type="target" position={Position.Top} />}
      {data.node.name}
      {start && <Handle type="source" position={Position.Bottom} />}
    </div>
  );
}

const nodeTypes = { state: memo(StateNode), container: memo(ContainerNode), mark: memo(MarkNode) };

type EdgeData = { edge: GraphEdge; route?: Route };

/** An SVG path through orthogonal points, with rounded corners. */
function roundedPath(points: Point[], radius = 6): string {
  let d = `M ${points[0].x} ${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1], points[i], points[i + 1]];
    const r = Math.min(radius, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const towards = (p: Point, q: Point, dist: number) => {
      const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
      return { x: p.x + ((q.x - p.x) / len) * dist, y: p.y + ((q.y - p.y) / len) * dist };
    };
    const p1 = towards(b, a, r);
    const p2 = towards(b, c, r);
    d += ` L ${p1.x} ${p1.y} Q ${b.x} ${b.y} ${p2.x} ${p2.y}`;
  }
  const last = points[points.length - 1];
  return `${d} L ${last.x} ${last.y}`;
}

/** ELK's route, its ends moved onto React Flow's handles. */
function routePoints(route: Route | undefined, s: Point, t: Point): Point[] {
  const pts = route && route.points.length >= 2 ? route.points.map((p) => ({ ...p })) : [];
  if (pts.length < 3) {
    const midY = (s.y + t.y) / 2;
    // A few pixels between the handles' x: straight down, not a jog.
    return Math.abs(s.x - t.x) < 4 ? [s, { x: s.x, y: t.y }] : [s, { x: s.x, y: midY }, { x: t.x, y: midY }, t];
  }
  const fix = (end: number, next: number, to: Point) => {
    const vertical = Math.abs(pts[end].x - pts[next].x) < 0.5;
    pts[end] = { ...to };
    if (vertical) pts[next].x = to.x;
    else pts[next].y = to.y;
  };
  fix(0, 1, s);
  fix(pts.length - 1, pts.length - 2, t);
  return pts;
}

function RoutedEdge({ id, sourceX, sourceY, targetX, targetY, markerEnd, style, label, data, selected }: EdgeProps<Edge<EdgeData>>) {
  const points = routePoints(data?.route, { x: sourceX, y: sourceY }, { x: targetX, y: targetY });
  const box = data?.route?.label;
  const mid = points[Math.floor(points.length / 2)];
  const cx = box ? box.x + box.width / 2 : mid.x;
  const cy = box ? box.y + box.height / 2 : mid.y;
  const kind = data?.edge.kind ?? "next";
  return (
    <>
      <BaseEdge id={id} path={roundedPath(points)} markerEnd={markerEnd} style={selected ? { ...style, strokeWidth: 2.5 } : style} />
      {label && (
        <EdgeLabelRenderer>
          <div className={`edge-label edge-label-${kind}`} style={{ transform: `translate(-50%, -50%) translate(${cx}px, ${cy}px)` }}>
            {label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const edgeTypes = { routed: RoutedEdge };

const EDGE_STYLE: Record<string, React.CSSProperties> = {
  next: { stroke: "#7b8794", strokeWidth: 1.5 },
  start: { stroke: "#9aa5b1", strokeWidth: 1.5 },
  end: { stroke: "#9aa5b1", strokeWidth: 1.5 },
  choice: { stroke: "#3e63dd", strokeWidth: 1.5 },
  default: { stroke: "#3e63dd", strokeWidth: 1.5, strokeDasharray: "6 4" },
  catch: { stroke: "#d9480f", strokeWidth: 1.5, strokeDasharray: "3 3" },
};

/** The structure that decides the layout: nodes, their kinds and nesting, edges. */
function shapeKey(nodes: GraphNode[], edges: GraphEdge[]): string {
  return JSON.stringify([nodes.map((n) => [n.id, n.type, n.parent]), edges.map((e) => [e.id, e.target, e.label])]);
}

function GraphInner(props: GraphViewProps) {
  const { def, statuses, problems, selected, onSelect, onChange, onRendered } = props;
  const graph = useMemo(() => buildGraph(def), [def]);
  const key = useMemo(() => shapeKey(graph.nodes, graph.edges), [graph]);
  const [boxes, setBoxes] = useState<{ key: string; layout: Layout } | null>(null);
  const flow = useReactFlow();
  const started = useRef(0);
  const layoutMs = useRef(0);
  const fitted = useRef<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    started.current = performance.now();
    layout(graph).then((l) => {
      layoutMs.current = performance.now() - started.current;
      if (!cancelled) setBoxes({ key, layout: l });
    });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const containers = useMemo(() => new Set(graph.nodes.map((n) => n.parent).filter(Boolean)), [graph]);
  const nodes: Node<NodeData>[] = useMemo(() => {
    if (!boxes) return [];
    const out: Node<NodeData>[] = [];
    for (const n of graph.nodes) {
      const box = boxes.layout.boxes.get(n.id);
      if (!box) continue;
      const isContainer = containers.has(n.id) || n.type === "branch";
      out.push({
        id: n.id,
        type: n.type === "start" || n.type === "end" ? "mark" : isContainer ? "container" : "state",
        position: { x: box.x, y: box.y },
        parentId: n.parent,
        width: box.width,
        height: box.height,
        style: { width: box.width, height: box.height },
        data: { node: n, status: statuses?.get(n.id), problems: problems?.get(n.id) },
        selected: selected === n.id,
        draggable: false,
        deletable: !!onChange && n.type !== "start" && n.type !== "end" && n.type !== "branch",
        connectable: !!onChange,
        ariaLabel: n.type === "start" || n.type === "end" ? n.name : `${n.type} state ${n.name}${statuses?.get(n.id) ? `, ${statuses.get(n.id)}` : ""}`,
      });
    }
    return out;
  }, [boxes, graph, containers, statuses, problems, selected, onChange]);

  const edges: Edge<EdgeData>[] = useMemo(
    () =>
      graph.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        type: "routed",
        label: e.label,
        className: `edge-${e.kind}`,
        style: EDGE_STYLE[e.kind],
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: (EDGE_STYLE[e.kind].stroke as string) ?? "#7b8794" },
        reconnectable: !!onChange && e.kind !== "end",
        deletable: !!onChange,
        data: { edge: e, route: boxes?.layout.routes.get(e.id) },
        ariaLabel: `${e.kind === "start" ? "Start" : e.source.split("/").pop()} to ${e.target === END ? "End" : e.target.split("/").pop()}${e.label ? `: ${e.label}` : ""}`,
      })),
    [graph, onChange, boxes],
  );

  // Fit the view once per structure; report the time from the layout's start.
  useEffect(() => {
    if (!boxes || boxes.key !== key) return;
    if (fitted.current !== key) {
      fitted.current = key;
      requestAnimationFrame(() => {
        // A big graph would be unreadable whole: show its beginning at a readable size.
        const big = graph.nodes.length > 40;
        flow.fitView({
          padding: 0.08,
          maxZoom: 1.1,
          minZoom: big ? 0.6 : 0.2,
          ...(big ? { nodes: graph.nodes.filter((n) => !n.parent).slice(0, 8).map((n) => ({ id: n.id })) } : {}),
        });
        requestAnimationFrame(() => {
          const ms = performance.now() - started.current;
          const states = graph.nodes.filter((n) => n.state).length;
          // For the browser tests and the curious: the last layout and render.
          (window as unknown as { batonGraph?: unknown }).batonGraph = { ms, layoutMs: layoutMs.current, states };
          onRendered?.(ms, states);
        });
      });
    }
  }, [boxes, key, flow, onRendered, graph]);

  const onConnect = useCallback(
    (c: Connection) => {
      if (onChange && c.source && c.target) onChange(connect(def, c.source, c.target));
    },
    [def, onChange],
  );
  const onReconnect = useCallback(
    (old: Edge, c: Connection) => {
      const edge = (old.data as { edge: GraphEdge }).edge;
      if (onChange && c.target) onChange(reconnect(def, edge, c.target));
    },
    [def, onChange],
  );
  const onDelete = useCallback(
    ({ nodes: ns, edges: es }: { nodes: Node[]; edges: Edge[] }) => {
      if (!onChange) return;
      let next = def;
      const gone = new Set(ns.map((n) => n.id));
      // Deepest first, so that paths stay good.
      for (const n of [...ns].sort((a, b) => b.id.length - a.id.length)) next = deleteState(next, n.id);
      for (const e of es) {
        const edge = (e.data as { edge: GraphEdge }).edge;
        if (!gone.has(edge.source) && !gone.has(edge.target)) next = deleteEdge(next, edge);
      }
      onChange(next, undefined);
    },
    [def, onChange],
  );

  const onDrop = useCallback(
    (event: React.DragEvent) => {
      const type = event.dataTransfer.getData("application/x-baton-state");
      if (!onChange || !type) return;
      event.preventDefault();
      const { scope, after } = dropTarget(event.clientX, event.clientY, def);
      const { def: next, path } = addState(def, scope, type, after);
      onChange(next, path);
    },
    [def, onChange],
  );

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      zIndexMode="auto"
      onNodeClick={(_, n) => onSelect?.(n.type === "mark" || (n.data as NodeData).node.type === "branch" ? undefined : n.id)}
      onPaneClick={() => onSelect?.(undefined)}
      onNodesChange={(changes) => {
        // Selection from the keyboard (Tab to a node, Enter).
        for (const c of changes) {
          if (c.type === "select" && c.selected && c.id !== START && c.id !== END && !/\/Branches\/\d+$/.test(c.id)) onSelect?.(c.id);
        }
      }}
      onConnect={onConnect}
      onReconnect={onChange ? onReconnect : undefined}
      onDelete={onDelete}
      deleteKeyCode={onChange ? ["Delete", "Backspace"] : null}
      onDragOver={(e) => {
        if (onChange) {
          e.preventDefault();
          e.dataTransfer.dropEffect = "move";
        }
      }}
      onDrop={onDrop}
      nodesDraggable={false}
      nodesConnectable={!!onChange}
      edgesFocusable
      nodesFocusable
      onlyRenderVisibleElements={graph.nodes.length > 120}
      minZoom={0.1}
    >
      <Background gap={20} size={1} color="#e4e7eb" />
      <Controls showInteractive={false} />
      {graph.nodes.length > 40 && <MiniMap pannable zoomable ariaLabel="Overview of the graph" nodeStrokeWidth={2} />}
    </ReactFlow>
  );
}

/** Where a dropped state goes: after the state under the pointer, or into the container. */
function dropTarget(x: number, y: number, def: Definition): { scope: string; after?: string } {
  for (const el of document.elementsFromPoint(x, y)) {
    const nodeEl = el.closest(".react-flow__node") as HTMLElement | null;
    if (!nodeEl) continue;
    const id = nodeEl.dataset.id!;
    if (id === START || id === END) return { scope: "" };
    if (nodeEl.classList.contains("react-flow__node-state")) {
      return { scope: id.slice(0, id.lastIndexOf("/States/")), after: id };
    }
    if (nodeEl.classList.contains("react-flow__node-container")) {
      if (/\/Branches\/\d+$/.test(id)) return { scope: id };
      const state = lookup(def, id) as any;
      if (state?.Type === "Map") return { scope: `${id}/${state.ItemProcessor ? "ItemProcessor" : "Iterator"}` };
      return { scope: id.slice(0, id.lastIndexOf("/States/")), after: id };
    }
  }
  return { scope: "" };
}

function lookup(def: Definition, pointer: string): unknown {
  let v: any = def;
  for (const k of pointer.slice(1).split("/")) v = v?.[k.replace(/~1/g, "/").replace(/~0/g, "~")];
  return v;
}

export function GraphView(props: GraphViewProps) {
  return (
    <div className="graph">
      <ReactFlowProvider>
        <GraphInner {...props} />
      </ReactFlowProvider>
    </div>
  );
}

export const STATUS_LABELS: Record<Status, string> = {
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  caught: "Caught error",
  cancelled: "Cancelled",
  notreached: "Not reached",
};

export function Legend() {
  return (
    <div className="legend" aria-label="Legend">
      {(Object.keys(STATUS_LABELS) as Status[]).map((s) => (
        <span key={s} className={`legend-item status-${s}`}>
          <i /> {STATUS_LABELS[s]}
        </span>
      ))}
    </div>
  );
}
