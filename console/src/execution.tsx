// An execution: its graph coloured by each state's status (live while it runs), the
// selected state's input, output, error, retries and timings, the event history, a
// timeline, and Stop and Redrive.
import { useEffect, useMemo, useRef, useState } from "react";
import { arnName, call, formatDate, formatDuration, type Execution, type HistoryEvent } from "./api";
import { allStates, type Definition } from "./asl";
import { GraphView, Legend, STATUS_LABELS, type Status } from "./graph";
import { analyse, type StateRun } from "./history";
import { StartDialog } from "./machine";
import { href } from "./router";
import { ErrorBanner, Json, StatusBadge, Tabs, useAsync } from "./ui";

const POLL_MS = 1000;

async function loadHistory(arn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page: any = await call("GetExecutionHistory", { executionArn: arn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The events after the ones known: read newest first until a known one. */
async function loadNewEvents(arn: string, known: HistoryEvent[]): Promise<HistoryEvent[]> {
  if (known.length === 0) return loadHistory(arn);
  const last = known[known.length - 1].id;
  const fresh: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (;;) {
    const page: any = await call("GetExecutionHistory", { executionArn: arn, reverseOrder: true, maxResults: 500, ...(nextToken ? { nextToken } : {}) });
    const older = page.events.findIndex((e: HistoryEvent) => e.id <= last);
    fresh.push(...(older >= 0 ? page.events.slice(0, older) : page.events));
    nextToken = page.nextToken;
    if (older >= 0 || !nextToken) break;
  }
  return fresh.length ? [...known, ...fresh.reverse()] : known;
}

export function ExecutionPage({ arn, query }: { arn: string; query: URLSearchParams }) {
  const [execution, setExecution] = useState<Execution>();
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  const [def, setDef] = useState<Definition>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const [tab, setTab] = useState(query.get("tab") ?? "graph");
  const [selected, setSelected] = useState<string>();
  const [iteration, setIteration] = useState<{ map: string; path: string; iteration: number }>();
  const [actionError, setActionError] = useState<unknown>();
  const [rerun, setRerun] = useState(false);

  useEffect(() => {
    call("DescribeStateMachineForExecution", { executionArn: arn })
      .then((m) => setDef(JSON.parse(m.definition)))
      .catch(setError);
  }, [arn]);

  // Poll while the execution runs.
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    let known: HistoryEvent[] = [];
    const load = async () => {
      try {
        const e = await call<Execution>("DescribeExecution", { executionArn: arn });
        const h = await loadNewEvents(arn, known);
        if (stopped) return;
        known = h;
        setExecution(e);
        setEvents(h);
        setError(undefined);
        if (e.status === "RUNNING") timer = setTimeout(load, POLL_MS);
      } catch (err) {
        if (!stopped) setError(err);
      }
    };
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [arn, tick]);

  const full = useMemo(() => analyse(events), [events]);
  const inIteration = useMemo(() => (iteration ? analyse(events, iteration) : undefined), [events, iteration]);
  const paths = useMemo(() => (def ? allStates(def) : []), [def]);
  const statuses = useMemo(() => {
    const m = new Map<string, Status>();
    // A distributed Map's states run in child executions: this history does not tell.
    const distributed = paths.filter((p) => p.state.Type === "Map" && p.state.ItemProcessor?.ProcessorConfig?.Mode === "DISTRIBUTED").map((p) => p.path + "/");
    for (const { path, name } of paths) {
      if (distributed.some((d) => path.startsWith(d))) continue;
      const inside = iteration && path.startsWith(iteration.path + "/");
      const s = inside ? inIteration?.status.get(name) : full.status.get(name);
      m.set(path, s ?? "notreached");
    }
    return m;
  }, [paths, full, inIteration, iteration]);
  const selectedName = paths.find((p) => p.path === selected)?.name;
  const selectedRuns = (inIteration && selected?.startsWith(iteration!.path + "/") ? inIteration : full).runs.filter((r) => r.name === selectedName);

  const stop = async () => {
    try {
      await call("StopExecution", { executionArn: arn, error: "Stopped", cause: "Stopped from the console" });
      setTick((t) => t + 1);
    } catch (e) {
      setActionError(e);
    }
  };
  const redrive = async () => {
    try {
      await call("RedriveExecution", { executionArn: arn });
      setTick((t) => t + 1);
    } catch (e) {
      setActionError(e);
    }
  };

  const e = execution;
  const ended = e?.stopDate ?? (Date.now() / 1000);
  return (
    <section className="page execution-page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <a href={href(["machines"])}>State machines</a> /{" "}
            {e && <a href={href(["machines", e.stateMachineArn, "executions"])}>{arnName(e.stateMachineArn)}</a>} /
          </div>
          <h1>
            {e?.name ?? arnName(arn)} {e && <StatusBadge status={e.status} />}
          </h1>
        </div>
        <div className="actions">
          <button onClick={() => setTick((t) => t + 1)}>Refresh</button>
          {e?.status === "RUNNING" && (
            <button className="danger" onClick={stop}>
              Stop
            </button>
          )}
          {e && e.status !== "RUNNING" && e.status !== "SUCCEEDED" && (
            <button onClick={redrive} disabled={e.redriveStatus === "NOT_REDRIVABLE"} title={e.redriveStatusReason}>
              Redrive
            </button>
          )}
          {e && <button onClick={() => setRerun(true)}>New execution</button>}
        </div>
      </div>
      <ErrorBanner error={error ?? actionError} onClose={() => setActionError(undefined)} />
      {e && (
        <dl className="summary">
          <div>
            <dt>Started</dt>
            <dd>{formatDate(e.startDate)}</dd>
          </div>
          <div>
            <dt>Ended</dt>
            <dd>{e.stopDate ? formatDate(e.stopDate) : "—"}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{formatDuration(ended - e.startDate)}</dd>
          </div>
          <div>
            <dt>Events</dt>
            <dd>{events.length}</dd>
          </div>
          {(e.stateMachineAliasArn || e.stateMachineVersionArn) && (
            <div>
              <dt>Ran</dt>
              <dd>
                {e.stateMachineAliasArn ? `alias ${e.stateMachineAliasArn.split(":").pop()}` : ""}
                {e.stateMachineAliasArn && e.stateMachineVersionArn ? ", " : ""}
                {e.stateMachineVersionArn ? `version ${e.stateMachineVersionArn.split(":").pop()}` : ""}
              </dd>
            </div>
          )}
          {e.redriveCount ? (
            <div>
              <dt>Redrives</dt>
              <dd>{e.redriveCount}</dd>
            </div>
          ) : null}
          {e.error && (
            <div className="summary-error">
              <dt>Error</dt>
              <dd>
                <strong data-testid="execution-error">{e.error}</strong> {e.cause}
              </dd>
            </div>
          )}
        </dl>
      )}
      <Tabs
        label="Execution"
        current={tab}
        onSelect={setTab}
        tabs={[
          { id: "graph", label: "Graph" },
          { id: "events", label: "Events" },
          { id: "timeline", label: "Timeline" },
          { id: "io", label: "Input and output" },
        ]}
      />
      {tab === "graph" && def && (
        <div className="execution-graph">
          <div className="designer-graph">
            <Legend />
            <GraphView def={def} statuses={statuses} selected={selected} onSelect={setSelected} />
          </div>
          <aside className="designer-side">
            <Iterations analysis={full} paths={paths} iteration={iteration} onChange={setIteration} />
            {events.some((e) => e.type === "MapRunStarted") && <MapRuns executionArn={arn} version={events.length} />}
            {selected ? <StateDetails name={selectedName!} runs={selectedRuns} status={statuses.get(selected) ?? "notreached"} /> : <p className="muted">Select a state to see its input, output, error, retries and timings.</p>}
          </aside>
        </div>
      )}
      {tab === "events" && <EventTable events={events} />}
      {tab === "timeline" && e && <Timeline runs={full.runs} start={e.startDate} end={ended} onSelect={(name) => {
        setSelected(paths.find((p) => p.name === name)?.path);
        setTab("graph");
      }} />}
      {tab === "io" && e && (
        <div className="io">
          <section className="card">
            <h2>Input</h2>
            <Json text={e.input} />
          </section>
          <section className="card">
            <h2>Output</h2>
            <Json text={e.output} />
          </section>
        </div>
      )}
      {e && <StartDialog open={rerun} onClose={() => setRerun(false)} machineArn={e.stateMachineArn} input={e.input} />}
    </section>
  );
}

function Iterations({ analysis, paths, iteration, onChange }: { analysis: ReturnType<typeof analyse>; paths: { path: string; name: string }[]; iteration?: { map: string; iteration: number }; onChange: (i?: { map: string; path: string; iteration: number }) => void }) {
  if (analysis.iterations.size === 0) return null;
  return (
    <div className="iterations card">
      <h3>Map iterations</h3>
      {[...analysis.iterations].map(([map, indices]) => {
        const path = paths.find((p) => p.name === map)?.path;
        const unique = [...new Set(indices)].sort((a, b) => a - b);
        return (
          <label className="field" key={map}>
            <span>{map}</span>
            <select
              value={iteration?.map === map ? String(iteration.iteration) : ""}
              onChange={(e) => onChange(e.target.value === "" || !path ? undefined : { map, path, iteration: Number(e.target.value) })}
            >
              <option value="">All {unique.length} iterations</option>
              {unique.map((i) => (
                <option key={i} value={i}>
                  Iteration {i}
                </option>
              ))}
            </select>
          </label>
        );
      })}
    </div>
  );
}

/** A distributed Map's Map Runs: progress, counts of items and child executions, limits
 * (changed with UpdateMapRun while it runs), and the child executions. Polled while one runs. */
function MapRuns({ executionArn, version }: { executionArn: string; version: number }) {
  const [tick, setTick] = useState(0);
  const runs = useAsync(async () => {
    const list = await call("ListMapRuns", { executionArn, maxResults: 100 });
    return Promise.all(
      (list.mapRuns ?? []).map(async (r: { mapRunArn: string }) => {
        const [d, children] = await Promise.all([
          call("DescribeMapRun", { mapRunArn: r.mapRunArn }),
          call("ListExecutions", { mapRunArn: r.mapRunArn, maxResults: 50 }).catch(() => ({ executions: [] })),
        ]);
        return { ...d, children: children.executions as { executionArn: string; name: string; status: string }[] };
      }),
    );
  }, [executionArn, version, tick]);
  const running = (runs.value ?? []).some((r: any) => r.status === "RUNNING");
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(t);
  }, [running, runs.value]);
  return (
    <div className="card iterations">
      <h3>Map runs</h3>
      <ErrorBanner error={runs.error} />
      {(runs.value ?? []).map((r: any) => (
        <MapRunCard key={r.mapRunArn} run={r} onChanged={() => setTick((n) => n + 1)} />
      ))}
    </div>
  );
}

const COUNTS = ["total", "pending", "running", "succeeded", "failed", "timedOut", "aborted"] as const;

function MapRunCard({ run: r, onChanged }: { run: any; onChanged: () => void }) {
  const items = r.itemCounts ?? {};
  const done = (items.succeeded ?? 0) + (items.failed ?? 0) + (items.timedOut ?? 0) + (items.aborted ?? 0);
  const percent = items.total ? Math.round((done * 100) / items.total) : r.status === "RUNNING" ? 0 : 100;
  return (
    <div className="map-run" aria-label={`Map run ${r.mapRunArn.split(":").slice(-2).join(":")}`}>
      <div>
        <code>{r.mapRunArn.split(":").slice(-2).join(":")}</code> <StatusBadge status={r.status} />
      </div>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="progress-done" style={{ width: `${percent}%` }} />
        <span>
          {done} of {items.total ?? 0} items ({percent}%)
        </span>
      </div>
      <table className="counts">
        <thead>
          <tr>
            <th />
            {COUNTS.map((k) => (
              <th key={k}>{k}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>Items</th>
            {COUNTS.map((k) => (
              <td key={k}>{items[k] ?? 0}</td>
            ))}
          </tr>
          <tr>
            <th>Child executions</th>
            {COUNTS.map((k) => (
              <td key={k}>{r.executionCounts?.[k] ?? 0}</td>
            ))}
          </tr>
        </tbody>
      </table>
      <MapRunLimits run={r} onChanged={onChanged} />
      {r.children.length > 0 && (
        <ul className="mini-events">
          {r.children.map((c: { executionArn: string; name: string; status: string }) => (
            <li key={c.executionArn}>
              <a href={href(["executions", c.executionArn])}>{c.name}</a> <StatusBadge status={c.status} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** MaxConcurrency and the tolerated failures; editable (UpdateMapRun) while the run runs. */
function MapRunLimits({ run: r, onChanged }: { run: any; onChanged: () => void }) {
  const [concurrency, setConcurrency] = useState(String(r.maxConcurrency ?? 0));
  const [count, setCount] = useState(String(r.toleratedFailureCount ?? 0));
  const [percentage, setPercentage] = useState(String(r.toleratedFailurePercentage ?? 0));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  if (r.status !== "RUNNING") {
    return (
      <dl className="kv">
        <dt>Max concurrency</dt>
        <dd>{r.maxConcurrency || "unlimited"}</dd>
        <dt>Tolerated failures</dt>
        <dd>
          {r.toleratedFailureCount ?? 0} or {r.toleratedFailurePercentage ?? 0}%
        </dd>
      </dl>
    );
  }
  const update = async () => {
    setError(null);
    setSaved(false);
    try {
      await call("UpdateMapRun", {
        mapRunArn: r.mapRunArn,
        maxConcurrency: Number(concurrency),
        toleratedFailureCount: Number(count),
        toleratedFailurePercentage: Number(percentage),
      });
      setSaved(true);
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form
      className="map-run-limits"
      onSubmit={(e) => {
        e.preventDefault();
        void update();
      }}
    >
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <label className="field inline">
        <span>Max concurrency</span>
        <input type="number" min={0} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
      </label>
      <label className="field inline">
        <span>Tolerated failures</span>
        <input type="number" min={0} value={count} onChange={(e) => setCount(e.target.value)} />
      </label>
      <label className="field inline">
        <span>Tolerated %</span>
        <input type="number" min={0} max={100} step="any" value={percentage} onChange={(e) => setPercentage(e.target.value)} />
      </label>
      <button type="submit">Update map run</button>
      {saved && <span className="muted"> updated</span>}
    </form>
  );
}

function StateDetails({ name, runs, status }: { name: string; runs: StateRun[]; status: Status }) {
  const [which, setWhich] = useState(0);
  useEffect(() => setWhich(Math.max(0, runs.length - 1)), [name, runs.length]);
  const run = runs[Math.min(which, runs.length - 1)];
  return (
    <div className="state-details" aria-label={`State ${name}`}>
      <h3>
        {name} <span className={`status-pill status-${status}`}>{STATUS_LABELS[status]}</span>
      </h3>
      {runs.length > 1 && (
        <label className="field inline">
          <span>Run</span>
          <select value={which} onChange={(e) => setWhich(Number(e.target.value))}>
            {runs.map((r, i) => (
              <option key={i} value={i}>
                {i + 1} of {runs.length}
                {r.iteration ? ` · ${r.iteration}` : ""} · {r.status}
              </option>
            ))}
          </select>
        </label>
      )}
      {!run && <p className="muted">Not reached.</p>}
      {run && (
        <>
          <dl className="kv">
            <dt>Entered</dt>
            <dd>{formatDate(run.enteredAt)}</dd>
            <dt>Exited</dt>
            <dd>{run.exitedAt ? formatDate(run.exitedAt) : "—"}</dd>
            <dt>Duration</dt>
            <dd>{run.exitedAt ? formatDuration(run.exitedAt - run.enteredAt) : "running"}</dd>
            <dt>Retries</dt>
            <dd>{run.retries}</dd>
          </dl>
          {run.error !== undefined && (
            <div className="state-error" role="note">
              <strong data-testid="state-error">{run.error}</strong>
              {run.cause && <pre className="json">{run.cause}</pre>}
            </div>
          )}
          <h4>Input</h4>
          <Json text={run.input} />
          <h4>Output</h4>
          <Json text={run.output} />
          <details>
            <summary>{run.events.length} events</summary>
            <ul className="mini-events">
              {run.events.map((e) => (
                <li key={e.id}>
                  #{e.id} {e.type} <span className="muted">{formatDate(e.timestamp).slice(11)}</span>
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
    </div>
  );
}

const EVENTS_PAGE = 100;

/** The history, a page of 100 events at a time (an execution may have tens of thousands). */
function EventTable({ events }: { events: HistoryEvent[] }) {
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState(0);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const shown = useMemo(() => {
    const f = filter.toLowerCase();
    return f ? events.filter((e) => e.type.toLowerCase().includes(f) || JSON.stringify(e).toLowerCase().includes(f)) : events;
  }, [events, filter]);
  const pages = Math.max(1, Math.ceil(shown.length / EVENTS_PAGE));
  const at = Math.min(page, pages - 1);
  const start = events[0]?.timestamp ?? 0;
  const rows = shown.slice(at * EVENTS_PAGE, (at + 1) * EVENTS_PAGE);
  const toggle = (id: number) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  return (
    <div className="events">
      <div className="toolbar">
        <input type="search" placeholder="Filter events" aria-label="Filter events" value={filter} onChange={(e) => { setFilter(e.target.value); setPage(0); }} />
        <span className="spacer" />
        <Pager page={at} pages={pages} total={shown.length} onPage={setPage} />
      </div>
      <table className="table events-table">
        <thead>
          <tr>
            <th>ID</th>
            <th>Type</th>
            <th>Step</th>
            <th>Elapsed</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => {
            const d = Object.entries(e).find(([k]) => k.endsWith("EventDetails"))?.[1] as any;
            const isOpen = open.has(e.id);
            return (
              <EventRow key={e.id} e={e} d={d} isOpen={isOpen} onToggle={() => toggle(e.id)} elapsed={e.timestamp - start} />
            );
          })}
        </tbody>
      </table>
      <div className="pager-bottom">
        <Pager page={at} pages={pages} total={shown.length} onPage={setPage} />
      </div>
    </div>
  );
}

function EventRow({ e, d, isOpen, onToggle, elapsed }: { e: HistoryEvent; d: any; isOpen: boolean; onToggle: () => void; elapsed: number }) {
  const bad = /Failed|TimedOut|Aborted/.test(e.type);
  return (
    <>
      <tr className={bad ? "event-bad" : undefined}>
        <td>
          <button className="link expander" aria-expanded={isOpen} onClick={onToggle} aria-label={`Details of event ${e.id}`}>
            {isOpen ? "▾" : "▸"} {e.id}
          </button>
        </td>
        <td>{e.type}</td>
        <td>{d?.name ?? d?.resource ?? ""}</td>
        <td>{formatDuration(elapsed)}</td>
        <td>{formatDate(e.timestamp)}</td>
      </tr>
      {isOpen && (
        <tr className="event-details">
          <td colSpan={5}>
            <Json text={JSON.stringify(e)} />
          </td>
        </tr>
      )}
    </>
  );
}

function Pager({ page, pages, total, onPage }: { page: number; pages: number; total: number; onPage: (p: number) => void }) {
  return (
    <div className="pager">
      <button disabled={page === 0} onClick={() => onPage(0)} aria-label="First page">«</button>
      <button disabled={page === 0} onClick={() => onPage(page - 1)} aria-label="Previous page">‹</button>
      <span>
        Page {page + 1} of {pages} · {total} events
      </span>
      <button disabled={page >= pages - 1} onClick={() => onPage(page + 1)} aria-label="Next page">›</button>
      <button disabled={page >= pages - 1} onClick={() => onPage(pages - 1)} aria-label="Last page">»</button>
    </div>
  );
}

const TIMELINE_ROWS = 300;

/** A task's wait for its worker (hatched) and its work (dark), over its state's bar. */
function WorkBars({ work, start, span, end }: { work: NonNullable<StateRun["work"]>; start: number; span: number; end: number }) {
  const at = (t: number) => ((t - start) / span) * 100;
  const begun = work.startedAt ?? work.endedAt ?? end;
  return (
    <>
      <span className="work-wait" style={{ left: `${at(work.scheduledAt)}%`, width: `${Math.max(at(begun) - at(work.scheduledAt), 0)}%` }} title={`Waiting for a worker: ${formatDuration(begun - work.scheduledAt)}`} />
      {work.startedAt !== undefined && (
        <span className="work-run" style={{ left: `${at(work.startedAt)}%`, width: `${Math.max(at(work.endedAt ?? end) - at(work.startedAt), 0.3)}%` }} title={`Task: ${formatDuration((work.endedAt ?? end) - work.startedAt)}`} />
      )}
    </>
  );
}

/** A Gantt chart of the states' runs. */
function Timeline({ runs, start, end, onSelect }: { runs: StateRun[]; start: number; end: number; onSelect: (name: string) => void }) {
  const span = Math.max(end - start, 0.001);
  const shown = runs.slice(0, TIMELINE_ROWS);
  const ticks = useRef([0, 0.25, 0.5, 0.75, 1]).current;
  return (
    <div className="timeline" role="table" aria-label="Timeline">
      <div className="timeline-row timeline-axis" role="row">
        <span className="timeline-label" />
        <span className="timeline-track">
          {ticks.map((t) => (
            <span key={t} className="tick" style={{ left: `${t * 100}%` }}>
              {formatDuration(span * t)}
            </span>
          ))}
        </span>
      </div>
      {shown.map((r, i) => {
        const left = ((r.enteredAt - start) / span) * 100;
        const width = Math.max((((r.exitedAt ?? end) - r.enteredAt) / span) * 100, 0.4);
        return (
          <div className="timeline-row" role="row" key={i}>
            <button className="timeline-label link" onClick={() => onSelect(r.name)} title={r.iteration}>
              {r.name}
              {r.iteration ? <span className="muted"> {r.iteration}</span> : null}
            </button>
            <span className="timeline-track">
              <span className={`bar status-${r.status}`} style={{ left: `${left}%`, width: `${width}%` }} title={`${r.name}: ${formatDuration((r.exitedAt ?? end) - r.enteredAt)}${r.retries ? `, ${r.retries} retries` : ""}`} />
              {r.work && <WorkBars work={r.work} start={start} span={span} end={end} />}
            </span>
            <span className="timeline-duration">{formatDuration((r.exitedAt ?? end) - r.enteredAt)}</span>
          </div>
        );
      })}
      {runs.length > TIMELINE_ROWS && <p className="muted">The first {TIMELINE_ROWS} of {runs.length} state runs.</p>}
      <p className="muted small timeline-key">
        Bars: a state from entered to exited, coloured by its status; inside a Task, <span className="key-wait" /> waiting for a worker and <span className="key-run" /> the task at work.
      </p>
    </div>
  );
}
