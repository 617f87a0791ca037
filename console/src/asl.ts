// The Amazon States Language model behind the Design, Code and Config tabs: parsing and
// printing (JSON or YAML), the graph drawn from a definition, and the edits the designer
// makes. Edits are pure: they return a new definition.
import YAML from "yaml";

export type State = { Type: string; [field: string]: any };
export interface Definition {
  StartAt: string;
  States: Record<string, State>;
  [field: string]: any;
}
export type Format = "json" | "yaml";

export function parse(text: string, format: Format): Definition {
  const value = format === "json" ? JSON.parse(text) : YAML.parse(text);
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new Error("A definition is an object with StartAt and States");
  }
  return value as Definition;
}

export function print(def: Definition, format: Format): string {
  return format === "json" ? JSON.stringify(def, null, 2) : YAML.stringify(def, { lineWidth: 0 });
}

// ---- Paths. A state is named by the JSON pointer of its object: /States/A,
// /States/P/Branches/0/States/B. A scope (an object with StartAt and States) by the
// pointer of that object: "" for the machine, /States/P/Branches/0, /States/M/ItemProcessor.

export function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
export function unescape(key: string): string {
  return key.replace(/~1/g, "/").replace(/~0/g, "~");
}
export function splitPointer(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map(unescape);
}
export function statePath(scope: string, name: string): string {
  return `${scope}/States/${escape(name)}`;
}
export function scopeOf(path: string): { scope: string; name: string } {
  const i = path.lastIndexOf("/States/");
  return { scope: path.slice(0, i), name: unescape(path.slice(i + 8)) };
}

export function get(root: any, pointer: string): any {
  let v = root;
  for (const key of splitPointer(pointer)) {
    if (v == null) return undefined;
    v = v[key];
  }
  return v;
}

/** The scopes nested in a state: Parallel's branches, Map's processor. */
export function childScopes(path: string, state: State): string[] {
  if (state.Type === "Parallel" && Array.isArray(state.Branches)) {
    return state.Branches.map((_: unknown, i: number) => `${path}/Branches/${i}`);
  }
  if (state.Type === "Map") {
    if (state.ItemProcessor) return [`${path}/ItemProcessor`];
    if (state.Iterator) return [`${path}/Iterator`];
  }
  return [];
}

/** Every state: path, name, state, scope. Depth first, in the definition's order. */
export function allStates(def: Definition): { path: string; name: string; state: State; scope: string }[] {
  const out: { path: string; name: string; state: State; scope: string }[] = [];
  const walk = (scope: string, obj: any) => {
    if (!obj || typeof obj.States !== "object" || obj.States === null) return;
    for (const [name, state] of Object.entries<State>(obj.States)) {
      if (!state || typeof state !== "object") continue;
      const path = statePath(scope, name);
      out.push({ path, name, state, scope });
      for (const child of childScopes(path, state)) walk(child, get(def, child));
    }
  };
  walk("", def);
  return out;
}

// ---- The graph.

export type EdgeKind = "next" | "default" | "choice" | "catch" | "end" | "start";
export interface GraphNode {
  id: string;
  name: string;
  type: string; // a state's Type, or "branch", "start", "end"
  parent?: string;
  state?: State;
  isEnd?: boolean;
  isStart?: boolean;
}
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  /** Which rule or catcher. */
  index?: number;
  label?: string;
}
export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const START = "__start";
export const END = "__end";

export function buildGraph(def: Definition): Graph {
  const nodes: GraphNode[] = [
    { id: START, name: "Start", type: "start" },
  ];
  const edges: GraphEdge[] = [];
  const scope = (scopePath: string, obj: any, parent: string | undefined) => {
    const states: Record<string, State> = obj && typeof obj.States === "object" && obj.States ? obj.States : {};
    const ref = (name: unknown) =>
      typeof name === "string" && name in states ? statePath(scopePath, name) : undefined;
    if (scopePath === "") {
      const start = ref(obj?.StartAt);
      if (start) edges.push({ id: `${START}->start`, source: START, target: start, kind: "start" });
    }
    for (const [name, state] of Object.entries<State>(states)) {
      if (!state || typeof state !== "object") continue;
      const id = statePath(scopePath, name);
      const terminal =
        state.End === true || state.Type === "Succeed" || state.Type === "Fail";
      nodes.push({
        id,
        name,
        type: String(state.Type ?? "?"),
        parent,
        state,
        isEnd: terminal,
        isStart: obj.StartAt === name,
      });
      const next = ref(state.Next);
      if (next) edges.push({ id: `${id}->next`, source: id, target: next, kind: "next" });
      if (state.Type === "Choice") {
        (Array.isArray(state.Choices) ? state.Choices : []).forEach((rule: any, i: number) => {
          const t = ref(rule?.Next);
          if (t) edges.push({ id: `${id}->choice${i}`, source: id, target: t, kind: "choice", index: i, label: ruleLabel(rule) });
        });
        const d = ref(state.Default);
        if (d) edges.push({ id: `${id}->default`, source: id, target: d, kind: "default", label: "Default" });
      }
      (Array.isArray(state.Catch) ? state.Catch : []).forEach((c: any, i: number) => {
        const t = ref(c?.Next);
        if (t)
          edges.push({
            id: `${id}->catch${i}`,
            source: id,
            target: t,
            kind: "catch",
            index: i,
            label: `Catch ${(c.ErrorEquals ?? []).join(", ")}`,
          });
      });
      if (scopePath === "" && terminal) {
        edges.push({ id: `${id}->end`, source: id, target: END, kind: "end" });
      }
      const children = childScopes(id, state);
      if (state.Type === "Parallel") {
        children.forEach((child, i) => {
          nodes.push({ id: child, name: `Branch ${i + 1}`, type: "branch", parent: id });
          scope(child, get(def, child), child);
        });
      } else {
        for (const child of children) scope(child, get(def, child), id);
      }
    }
  };
  scope("", def, undefined);
  nodes.push({ id: END, name: "End", type: "end" });
  return { nodes, edges };
}

const OPERATORS = [
  "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches",
  "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
  "BooleanEquals", "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals",
  "TimestampGreaterThanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
];
const SYMBOLS: Record<string, string> = {
  Equals: "==", LessThan: "<", GreaterThan: ">", LessThanEquals: "<=", GreaterThanEquals: ">=", Matches: "matches",
};

/** A short text for a Choice rule: `$.x == 3`, `not (...)`, a JSONata condition. */
export function ruleLabel(rule: any): string {
  if (!rule || typeof rule !== "object") return "?";
  if (typeof rule.Condition === "string") return rule.Condition.replace(/^\{%\s*|\s*%\}$/g, "");
  if (rule.Not) return `not (${ruleLabel(rule.Not)})`;
  if (Array.isArray(rule.And)) return rule.And.map(ruleLabel).join(" and ");
  if (Array.isArray(rule.Or)) return rule.Or.map(ruleLabel).join(" or ");
  for (const key of Object.keys(rule)) {
    const op = OPERATORS.find((o) => key === o || key === `${o}Path`);
    if (!op) continue;
    const value = key.endsWith("Path") ? rule[key] : JSON.stringify(rule[key]);
    if (op.startsWith("Is")) return `${rule.Variable} ${op} ${value}`;
    const kind = op.replace(/^(String|Numeric|Boolean|Timestamp)/, "");
    return `${rule.Variable} ${SYMBOLS[kind] ?? kind} ${value}`;
  }
  return "rule";
}

// ---- Edits.

function clone(def: Definition): Definition {
  return structuredClone(def);
}

export function stateNames(def: Definition): Set<string> {
  return new Set(allStates(def).map((s) => s.name));
}

export function uniqueName(def: Definition, base: string): string {
  const names = stateNames(def);
  if (!names.has(base)) return base;
  for (let i = 1; ; i++) if (!names.has(`${base} ${i}`)) return `${base} ${i}`;
}

export const STATE_TYPES = ["Task", "Pass", "Choice", "Wait", "Parallel", "Map", "Succeed", "Fail"] as const;

/** A new state of a type, with what it needs to be valid; nested scopes get a Pass state. */
export function newState(def: Definition, type: string, jsonata: boolean): State {
  const inner = (label: string): Definition => {
    const name = uniqueName(def, label);
    return { StartAt: name, States: { [name]: { Type: "Pass", End: true } } };
  };
  switch (type) {
    case "Task":
      return jsonata
        ? { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Arguments: { FunctionName: "my-function", Payload: "{% $states.input %}" }, End: true }
        : { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "my-function", "Payload.$": "$" }, End: true };
    case "Choice":
      return { Type: "Choice", Choices: [] };
    case "Wait":
      return { Type: "Wait", Seconds: 1, End: true };
    case "Parallel":
      return { Type: "Parallel", Branches: [inner("Branch pass")], End: true };
    case "Map": {
      const processor = inner("Item pass");
      return { Type: "Map", ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, ...processor }, End: true };
    }
    case "Succeed":
      return { Type: "Succeed" };
    case "Fail":
      return { Type: "Fail", Error: "Failed", Cause: "The workflow failed" };
    default:
      return { Type: "Pass", End: true };
  }
}

function scopeObject(def: Definition, scope: string): Definition {
  const obj = scope === "" ? def : get(def, scope);
  if (!obj.States || typeof obj.States !== "object") obj.States = {};
  return obj;
}

/** Adds a state of `type` to `scope`; after the state `after` (same scope) when given. */
export function addState(
  def: Definition,
  scope: string,
  type: string,
  after?: string,
): { def: Definition; path: string } {
  const out = clone(def);
  const jsonata = out.QueryLanguage === "JSONata";
  const name = uniqueName(out, type === "Task" ? "Task" : type);
  const state = newState(out, type, jsonata);
  const obj = scopeObject(out, scope);
  const prev = after ? get(out, after) : undefined;
  if (prev && prev.Type !== "Choice" && prev.Type !== "Succeed" && prev.Type !== "Fail") {
    if (typeof prev.Next === "string" && canTransition(state)) {
      delete state.End;
      state.Next = prev.Next;
    }
    delete prev.End;
    prev.Next = name;
  } else if (prev && prev.Type === "Choice") {
    if (!prev.Default) prev.Default = name;
    else prev.Choices = [...(prev.Choices ?? []), choiceRule(out, name)];
  }
  obj.States[name] = state;
  if (!obj.StartAt || !(obj.StartAt in obj.States)) obj.StartAt = name;
  return { def: out, path: statePath(scope, name) };
}

function canTransition(state: State): boolean {
  return state.Type !== "Succeed" && state.Type !== "Fail" && state.Type !== "Choice";
}

function choiceRule(def: Definition, next: string): any {
  return def.QueryLanguage === "JSONata"
    ? { Condition: "{% $states.input.ok = true %}", Next: next }
    : { Variable: "$.ok", BooleanEquals: true, Next: next };
}

/** Removes a state; what went to it goes where it went (or ends). */
export function deleteState(def: Definition, path: string): Definition {
  const out = clone(def);
  const { scope, name } = scopeOf(path);
  const obj = scopeObject(out, scope);
  const gone = obj.States[name];
  if (!gone) return def;
  delete obj.States[name];
  const onward = typeof gone.Next === "string" ? gone.Next : undefined;
  for (const state of Object.values<State>(obj.States)) {
    if (state.Next === name) {
      if (onward) state.Next = onward;
      else {
        delete state.Next;
        state.End = true;
      }
    }
    if (state.Default === name) delete state.Default;
    if (Array.isArray(state.Choices)) state.Choices = state.Choices.filter((r: any) => r?.Next !== name);
    if (Array.isArray(state.Catch)) {
      state.Catch = state.Catch.filter((c: any) => c?.Next !== name);
      if (state.Catch.length === 0) delete state.Catch;
    }
  }
  if (obj.StartAt === name) obj.StartAt = onward ?? Object.keys(obj.States)[0] ?? "";
  return out;
}

/** Renames a state and every transition to it. Keeps the order of the states. */
export function renameState(def: Definition, path: string, to: string): Definition {
  const { scope, name } = scopeOf(path);
  if (!to || to === name || stateNames(def).has(to)) return def;
  const out = clone(def);
  const obj = scopeObject(out, scope);
  const states: Record<string, State> = {};
  for (const [k, v] of Object.entries<State>(obj.States)) states[k === name ? to : k] = v;
  obj.States = states;
  for (const state of Object.values<State>(states)) {
    if (state.Next === name) state.Next = to;
    if (state.Default === name) state.Default = to;
    for (const r of Array.isArray(state.Choices) ? state.Choices : []) if (r?.Next === name) r.Next = to;
    for (const c of Array.isArray(state.Catch) ? state.Catch : []) if (c?.Next === name) c.Next = to;
  }
  if (obj.StartAt === name) obj.StartAt = to;
  return out;
}

/** Replaces a state's object (the form's edits). */
export function replaceState(def: Definition, path: string, state: State): Definition {
  const out = clone(def);
  const { scope, name } = scopeOf(path);
  scopeObject(out, scope).States[name] = state;
  return out;
}

/**
 * Draws a transition from `source` to `target` (a state of the same scope, or END):
 * a Choice gets its Default, then a new rule; a state that has a Next moves it.
 */
export function connect(def: Definition, source: string, target: string): Definition {
  if (source === START) {
    if (target === END) return def;
    const out = clone(def);
    out.StartAt = scopeOf(target).name;
    return out;
  }
  const out = clone(def);
  const state = get(out, source) as State | undefined;
  if (!state) return def;
  if (target === END) {
    if (!canTransition(state)) return def;
    delete state.Next;
    state.End = true;
    return out;
  }
  const from = scopeOf(source);
  const to = scopeOf(target);
  if (from.scope !== to.scope) return def;
  if (state.Type === "Choice") {
    if (!state.Default) state.Default = to.name;
    else state.Choices = [...(state.Choices ?? []), choiceRule(out, to.name)];
  } else if (canTransition(state)) {
    delete state.End;
    state.Next = to.name;
  } else return def;
  return out;
}

/** Moves one end of a drawn transition to another state. */
export function reconnect(def: Definition, edge: GraphEdge, target: string): Definition {
  if (edge.kind === "start") return connect(def, START, target);
  if (edge.kind === "end") return connect(def, edge.source, target);
  if (target === END) return edge.kind === "next" ? connect(def, edge.source, END) : def;
  if (scopeOf(edge.source).scope !== scopeOf(target).scope) return def;
  const out = clone(def);
  const state = get(out, edge.source) as State;
  const name = scopeOf(target).name;
  if (edge.kind === "next") state.Next = name;
  if (edge.kind === "default") state.Default = name;
  if (edge.kind === "choice") state.Choices[edge.index!].Next = name;
  if (edge.kind === "catch") state.Catch[edge.index!].Next = name;
  return out;
}

/** Removes a drawn transition: a Next becomes End, a rule or catcher goes. */
export function deleteEdge(def: Definition, edge: GraphEdge): Definition {
  if (edge.kind === "start") return def;
  const out = clone(def);
  const state = get(out, edge.source) as State;
  if (edge.kind === "next" || edge.kind === "end") {
    if (edge.kind === "end" && state.Type !== "Succeed" && state.Type !== "Fail") return def;
    delete state.Next;
    if (canTransition(state)) state.End = true;
  }
  if (edge.kind === "default") delete state.Default;
  if (edge.kind === "choice") state.Choices.splice(edge.index!, 1);
  if (edge.kind === "catch") {
    state.Catch.splice(edge.index!, 1);
    if (state.Catch.length === 0) delete state.Catch;
  }
  return out;
}

/** The state a diagnostic's location (a JSON pointer) is about, if any. */
export function stateOfLocation(def: Definition | null, location: string | undefined): string | undefined {
  if (!def || !location || !location.startsWith("/")) return undefined;
  let best: string | undefined;
  for (const { path } of allStates(def)) {
    if ((location === path || location.startsWith(path + "/")) && (!best || path.length > best.length)) best = path;
  }
  return best;
}

// ---- Starter templates.

export const TEMPLATES: { id: string; title: string; description: string; def: Definition }[] = [
  {
    id: "blank",
    title: "Blank",
    description: "An empty workflow: drag states onto it.",
    def: { Comment: "A new workflow", StartAt: "", States: {} },
  },
  {
    id: "hello",
    title: "Hello world",
    description: "Pass, Wait and Succeed: runs anywhere.",
    def: {
      Comment: "Hello world",
      StartAt: "Greet",
      States: {
        Greet: { Type: "Pass", Result: { greeting: "Hello" }, ResultPath: "$.hello", Next: "Pause" },
        Pause: { Type: "Wait", Seconds: 1, Next: "Done" },
        Done: { Type: "Succeed" },
      },
    },
  },
  {
    id: "choice",
    title: "Branch on input",
    description: "A Choice with a default, a Fail and a Succeed.",
    def: {
      Comment: "Branch on the input's ok field",
      StartAt: "Check",
      States: {
        Check: {
          Type: "Choice",
          Choices: [{ Variable: "$.ok", BooleanEquals: true, Next: "Fine" }],
          Default: "Broken",
        },
        Fine: { Type: "Succeed" },
        Broken: { Type: "Fail", Error: "NotOk", Cause: "The input's ok was not true" },
      },
    },
  },
  {
    id: "parallel-map",
    title: "Parallel and Map",
    description: "Two branches, then a Map over a list, with retries and a catch.",
    def: {
      Comment: "Fan out, then fan in",
      StartAt: "Prepare",
      States: {
        Prepare: { Type: "Pass", Result: [1, 2, 3], ResultPath: "$.items", Next: "Both" },
        Both: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Left", States: { Left: { Type: "Pass", End: true } } },
            { StartAt: "Right", States: { Right: { Type: "Wait", Seconds: 1, End: true } } },
          ],
          ResultPath: null,
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Recover" }],
          Next: "Each",
        },
        Each: {
          Type: "Map",
          ItemsPath: "$.items",
          ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            StartAt: "Double",
            States: { Double: { Type: "Pass", End: true } },
          },
          End: true,
        },
        Recover: { Type: "Pass", End: true },
      },
    },
  },
];

/** A new branch (with one Pass state) at the end of a Parallel state's branches. */
export function addBranch(def: Definition, path: string): Definition {
  const out = clone(def);
  const state = get(out, path) as State;
  const name = uniqueName(out, "Branch pass");
  state.Branches = [...(state.Branches ?? []), { StartAt: name, States: { [name]: { Type: "Pass", End: true } } }];
  return out;
}

/** Removes a Parallel state's branch (one is always left). */
export function removeBranch(def: Definition, path: string, index: number): Definition {
  const out = clone(def);
  const state = get(out, path) as State;
  if (!Array.isArray(state.Branches) || state.Branches.length <= 1) return def;
  state.Branches.splice(index, 1);
  return out;
}
