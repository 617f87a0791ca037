// The workflow drawn as a graph: React Flow for rendering and interaction, ELK for the
// layout. The same view serves the designer (editable) and executions (statuses).
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
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
import { layout } from "./layout";

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
      {node.isStart && node.parent && <span className="badge start-badge" title="Starts here">start</span>}
      {node.isEnd && <span className="badge end-badge" title="Ends here">end</span>}
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
        {!branch && <span className="state-type"> {node.type === "Map" ? "Map · item processor" : node.type}</span>}
        {node.isEnd && <span className="badge end-badge">end</span>}
        {problems?.length ? <span className="badge problem-badge">!</span> : null}
      </div>
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
  const [boxes, setBoxes] = useState<{ key: string; boxes: Map<string, { x: number; y: number; width: number; height: number }> } | null>(null);
  const flow = useReactFlow();
  const started = useRef(0);
  const fitted = useRef<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    started.current = performance.now();
    layout(graph).then((b) => {
      if (!cancelled) setBoxes({ key, boxes: b });
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
      const box = boxes.boxes.get(n.id);
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

  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        type: "smoothstep",
        label: e.label,
        className: `edge-${e.kind}`,
        style: EDGE_STYLE[e.kind],
        labelStyle: { fontSize: 11, fill: e.kind === "catch" ? "#d9480f" : "#334e68" },
        labelBgStyle: { fill: "#fff" },
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: (EDGE_STYLE[e.kind].stroke as string) ?? "#7b8794" },
        reconnectable: !!onChange && e.kind !== "end",
        deletable: !!onChange,
        data: { edge: e },
      })),
    [graph, onChange],
  );

  // Fit the view once per structure; report the time from the layout's start.
  useEffect(() => {
    if (!boxes || boxes.key !== key) return;
    if (fitted.current !== key) {
      fitted.current = key;
      requestAnimationFrame(() => {
        flow.fitView({ padding: 0.08, maxZoom: 1.1, minZoom: 0.2 });
        requestAnimationFrame(() => {
          const ms = performance.now() - started.current;
          const states = graph.nodes.filter((n) => n.state).length;
          // For the browser tests and the curious: the last layout and render.
          (window as unknown as { batonGraph?: unknown }).batonGraph = { ms, states };
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
      zIndexMode="auto"
      onNodeClick={(_, n) => onSelect?.(n.type === "mark" || (n.data as NodeData).node.type === "branch" ? undefined : n.id)}
      onPaneClick={() => onSelect?.(undefined)}
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
      proOptions={{ hideAttribution: true }}
    >
      <Background gap={20} size={1} color="#e4e7eb" />
      <Controls showInteractive={false} />
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
