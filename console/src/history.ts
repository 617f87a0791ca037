// What an execution's history says about each state: status, input, output, error,
// retries and timings. Events of Parallel branches and Map iterations interleave; each
// event's previousEventId leads back through its own branch, which tells them apart.
import type { HistoryEvent } from "./api";
import type { Status } from "./graph";

/** A frame of the stack of what is open where an event happened. */
interface Frame {
  state?: string;
  /** A Map iteration: the Map state's name and the index. */
  map?: string;
  iteration?: number;
}

export interface StateRun {
  name: string;
  status: Status;
  enteredAt: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  retries: number;
  /** The Map iteration the run was in, innermost: "Map#3". */
  iteration?: string;
  events: HistoryEvent[];
  /** The last attempt of its work (Task, Activity, Lambda): scheduled, started, ended. */
  work?: { scheduledAt: number; startedAt?: number; endedAt?: number };
  /** Failed since its last attempt was scheduled. */
  pendingRetry?: boolean;
}

export interface Analysis {
  runs: StateRun[];
  /** By state name: the runs' status put together. */
  status: Map<string, Status>;
  /** Map state name → the iteration indices seen. */
  iterations: Map<string, number[]>;
  /** The events' frames, by event id (to filter by iteration). */
  end?: number;
}

const RANK: Status[] = ["failed", "running", "caught", "cancelled", "succeeded", "notreached"];

function details(e: HistoryEvent): any {
  for (const [k, v] of Object.entries(e)) if (k.endsWith("EventDetails")) return v;
  return undefined;
}

/**
 * Runs of each state. With `only` (a Map state name and an iteration index), only the
 * runs inside that iteration.
 */
export function analyse(events: HistoryEvent[], only?: { map: string; iteration: number }): Analysis {
  const stacks = new Map<number, Frame[]>();
  const open = new Map<string, StateRun>(); // key: frame path + state
  const runs: StateRun[] = [];
  const iterations = new Map<string, number[]>();
  const keyOf = (stack: Frame[]) => stack.map((f) => (f.state ?? `${f.map}#${f.iteration}`)).join("/");
  const inFilter = (stack: Frame[]) => !only || stack.some((f) => f.map === only.map && f.iteration === only.iteration);
  let end: number | undefined;
  for (const e of events) {
    const before = stacks.get(e.previousEventId) ?? [];
    let stack = before;
    const d = details(e);
    const owner = [...before].reverse().find((f) => f.state)?.state;
    const ownerKey = keyOf(before);
    if (e.type.endsWith("StateEntered")) {
      stack = [...before, { state: d?.name }];
      const iter = [...before].reverse().find((f) => f.map !== undefined);
      const run: StateRun = {
        name: d?.name,
        status: e.type === "FailStateEntered" ? "failed" : e.type === "SucceedStateEntered" ? "succeeded" : "running",
        enteredAt: e.timestamp,
        input: d?.input,
        retries: 0,
        iteration: iter ? `${iter.map}#${iter.iteration}` : undefined,
        events: [e],
      };
      if (e.type === "FailStateEntered" || e.type === "SucceedStateEntered") run.exitedAt = e.timestamp;
      if (inFilter(stack)) runs.push(run);
      open.set(keyOf(stack), run);
    } else if (e.type.endsWith("StateExited")) {
      const run = open.get(ownerKey);
      if (run) {
        run.exitedAt = e.timestamp;
        run.output = d?.output;
        run.status = run.error !== undefined ? "caught" : "succeeded";
        run.events.push(e);
        open.delete(ownerKey);
      }
      // Leave the state's frame.
      const i = before.map((f) => f.state).lastIndexOf(d?.name);
      stack = i >= 0 ? before.slice(0, i) : before;
    } else if (e.type === "MapIterationStarted") {
      const name = d?.name ?? owner;
      stack = [...before, { map: name, iteration: d?.index }];
      const seen = iterations.get(name) ?? [];
      seen.push(d?.index);
      iterations.set(name, seen);
    } else if (/^MapIteration(Succeeded|Failed|Aborted)$/.test(e.type)) {
      const i = before.map((f) => f.map !== undefined).lastIndexOf(true);
      stack = i >= 0 ? before.slice(0, i) : before;
    } else if (e.type.startsWith("Execution")) {
      if (/^Execution(Failed|TimedOut|Aborted)$/.test(e.type)) {
        end = e.timestamp;
        for (const run of open.values()) {
          if (run.status === "failed" && run.error === undefined) {
            run.error = d?.error;
            run.cause = d?.cause;
          }
          if (run.status !== "running") continue;
          if (e.type === "ExecutionAborted") run.status = "cancelled";
          else {
            run.status = "failed";
            run.error ??= d?.error ?? e.type;
            run.cause ??= d?.cause;
          }
          run.exitedAt = e.timestamp;
        }
        open.clear();
      } else if (e.type === "ExecutionSucceeded") end = e.timestamp;
      // A redrive opens the execution again.
      if (e.type === "ExecutionRedriven") end = undefined;
    } else if (/^(Parallel|Map)State/.test(e.type)) {
      // The Parallel or Map state's own events come after its branches' last events.
      const kind = e.type.startsWith("Parallel") ? "ParallelStateEntered" : "MapStateEntered";
      let at = before.length;
      while (at > 0 && open.get(keyOf(before.slice(0, at)))?.events[0].type !== kind) at--;
      const key = keyOf(before.slice(0, at));
      const run = at > 0 ? open.get(key) : undefined;
      if (run) {
        run.events.push(e);
        if (/(Failed|Aborted)$/.test(e.type)) {
          run.error = d?.error ?? run.error ?? e.type;
          run.cause = d?.cause ?? run.cause;
          // What was still open inside it ended with it.
          for (const [k, inner] of open) {
            if (!k.startsWith(key + "/")) continue;
            if (inner.status === "running") inner.status = inner.error !== undefined ? "failed" : "cancelled";
            inner.exitedAt ??= e.timestamp;
            open.delete(k);
          }
        }
        if (/(Started|Succeeded|Failed|Aborted)$/.test(e.type)) stack = before.slice(0, at);
      }
    } else {
      // Task, Lambda, Activity, Map and Parallel events belong to the open state.
      const run = open.get(ownerKey);
      if (run) {
        run.events.push(e);
        if (/^(Task|Activity|LambdaFunction)Scheduled$/.test(e.type)) run.work = { scheduledAt: e.timestamp };
        else if (run.work && /^(Task|Activity|LambdaFunction)Started$/.test(e.type)) run.work.startedAt = e.timestamp;
        else if (run.work && /^(Task|Activity|LambdaFunction)(Succeeded|Failed|TimedOut)$/.test(e.type)) run.work.endedAt = e.timestamp;
        if (/(Failed|TimedOut)$/.test(e.type) && d) {
          run.error = d.error ?? e.type;
          run.cause = d.cause;
          run.pendingRetry = true;
        } else if (/Scheduled$/.test(e.type) && run.pendingRetry) {
          // Scheduled again after a failure: a retry.
          run.retries++;
          run.pendingRetry = false;
          run.error = undefined;
          run.cause = undefined;
        }
      }
    }
    stacks.set(e.id, stack);
  }
  const status = new Map<string, Status>();
  for (const run of runs) {
    const was = status.get(run.name);
    if (!was || RANK.indexOf(run.status) < RANK.indexOf(was)) status.set(run.name, run.status);
  }
  for (const run of runs) delete (run as any).pendingRetry;
  return { runs, status, iterations, end };
}
