// A state machine: Design, Code and Config over one model, and its executions.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { call, DEFAULT_ROLE, formatDate, type Diagnostic, type ExecutionListItem, type StateMachine } from "./api";
import { addState, allStates, stateOfLocation, STATE_TYPES, TEMPLATES, type Definition } from "./asl";
import { AslEditor, JsonEditor } from "./editor";
import { GraphView } from "./graph";
import { Inspector } from "./inspector";
import { useModel } from "./model";
import { href, navigate } from "./router";
import { Dialog, ErrorBanner, Json, StatusBadge, Tabs, useAsync } from "./ui";

export function MachinePage({ arn, tab, query }: { arn: string; tab: string; query: URLSearchParams }) {
  const isNew = arn === "new";
  const template = TEMPLATES.find((t) => t.id === query.get("template")) ?? TEMPLATES[0];
  const loaded = useAsync<StateMachine | null>(() => (isNew ? Promise.resolve(null) : call("DescribeStateMachine", { stateMachineArn: arn })), [arn]);
  const initial = useMemo(() => structuredClone(template.def), [template]);
  const model = useModel(initial);
  const [saved, setSaved] = useState<string>("");
  const [config, setConfig] = useState<Config>({ name: "", type: "STANDARD", logLevel: "OFF", includeData: false, logGroup: "", tags: [] });

  useEffect(() => {
    const m = loaded.value;
    if (!m) return;
    let def: Definition;
    try {
      def = JSON.parse(m.definition);
    } catch {
      def = { StartAt: "", States: {} };
    }
    model.reset(def);
    setSaved(JSON.stringify(def));
    const logGroup = (m.loggingConfiguration?.destinations as any)?.[0]?.cloudWatchLogsLogGroup?.logGroupArn ?? "";
    setSavedLogging(JSON.stringify([m.loggingConfiguration?.level ?? "OFF", m.loggingConfiguration?.includeExecutionData ?? false, logGroup]));
    setConfig({
      name: m.name,
      type: m.type,
      logLevel: m.loggingConfiguration?.level ?? "OFF",
      includeData: m.loggingConfiguration?.includeExecutionData ?? false,
      logGroup,
      tags: [],
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loaded.value]);

  const { def, text, format, parseError, past, future } = model.state;
  const logging = JSON.stringify([config.logLevel, config.includeData, config.logGroup]);
  const [savedLogging, setSavedLogging] = useState("");
  const dirty = isNew || JSON.stringify(def) !== saved || logging !== savedLogging;

  // Validation as you type: Baton's own diagnostics.
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  useEffect(() => {
    if (parseError) {
      setDiagnostics([{ severity: "ERROR", code: "INVALID_JSON_DESCRIPTION", message: parseError }]);
      return;
    }
    const timer = setTimeout(() => {
      call("ValidateStateMachineDefinition", { definition: JSON.stringify(def), type: config.type })
        .then((r) => setDiagnostics(r.diagnostics ?? []))
        .catch(() => {});
    }, 300);
    return () => clearTimeout(timer);
  }, [def, parseError, config.type]);
  const problems = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const d of diagnostics) {
      const path = stateOfLocation(def, d.location);
      if (path) m.set(path, [...(m.get(path) ?? []), d.message]);
    }
    return m;
  }, [diagnostics, def]);

  const [selected, setSelected] = useState<string>();
  const onGraphChange = useCallback(
    (next: Definition, select?: string) => {
      model.edit(next);
      setSelected(select);
    },
    [model],
  );

  const [saving, setSaving] = useState(false);
  const [publish, setPublish] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string>();
  const [starting, setStarting] = useState(false);
  const express = loaded.value?.type === "EXPRESS";
  const [syncRuns, setSyncRuns] = useState<SyncRun[]>([]);

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const definition = JSON.stringify(def);
      const loggingConfiguration = {
        level: config.logLevel,
        includeExecutionData: config.includeData,
        ...(config.logLevel !== "OFF" ? { destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: config.logGroup || defaultLogGroup(config.name) } }] } : {}),
      };
      if (isNew) {
        const r = await call("CreateStateMachine", {
          name: config.name,
          definition,
          roleArn: DEFAULT_ROLE,
          type: config.type,
          loggingConfiguration,
          publish,
          ...(config.tags.length ? { tags: config.tags.map(([key, value]) => ({ key, value })) } : {}),
        });
        navigate(["machines", r.stateMachineArn, "design"], undefined, true);
      } else {
        const r = await call("UpdateStateMachine", { stateMachineArn: arn, definition, loggingConfiguration, publish });
        setSaved(definition);
        setSavedLogging(logging);
        setPublish(false);
        setNotice(r.stateMachineVersionArn ? `Saved and published version ${r.stateMachineVersionArn.split(":").pop()}` : "Saved");
        setTimeout(() => setNotice(undefined), 4000);
      }
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  // Undo, redo and save from the keyboard (the code editor keeps its own undo).
  const keys = useRef({ undo: model.undo, redo: model.redo, save });
  keys.current = { undo: model.undo, redo: model.redo, save };
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      const inText = (e.target as HTMLElement)?.closest?.(".cm-editor, input, textarea");
      if (e.key.toLowerCase() === "s") {
        e.preventDefault();
        keys.current.save();
      } else if (!inText && e.key.toLowerCase() === "z") {
        e.preventDefault();
        if (e.shiftKey) keys.current.redo();
        else keys.current.undo();
      } else if (!inText && e.key.toLowerCase() === "y") {
        e.preventDefault();
        keys.current.redo();
      }
    };
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, []);

  const setTab = (t: string) => navigate(["machines", arn, t], Object.fromEntries(query), true);
  const tabs = [
    ...(isNew ? [] : [{ id: "executions", label: "Executions" }]),
    { id: "design", label: "Design" },
    { id: "code", label: <>Code{diagnostics.length > 0 && <span className="count">{diagnostics.length}</span>}</> },
    { id: "config", label: "Config" },
  ];
  const editing = tab !== "executions";
  const names = useMemo(() => allStates(def).map((s) => s.name), [def]);

  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  return (
    <section className="page machine-page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <a href={href(["machines"])}>State machines</a> /
          </div>
          <h1>{isNew ? config.name || "New state machine" : loaded.value?.name ?? "…"}</h1>
        </div>
        <div className="actions">
          {editing && (
            <>
              <button onClick={model.undo} disabled={past.length === 0} title="Undo (Ctrl+Z)">
                Undo
              </button>
              <button onClick={model.redo} disabled={future.length === 0} title="Redo (Ctrl+Shift+Z)">
                Redo
              </button>
              <label className="check">
                <input type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} /> Publish a version
              </label>
              <button className="primary" onClick={save} disabled={saving || (!dirty && !publish) || (isNew && !config.name)} title={isNew && !config.name ? "Name it in Config first" : "Save (Ctrl+S)"}>
                {isNew ? "Create" : saving ? "Saving…" : dirty ? "Save" : "Saved"}
              </button>
            </>
          )}
          {!isNew && (
            <button className={editing ? "" : "primary"} onClick={() => setStarting(true)}>
              Start execution
            </button>
          )}
        </div>
      </div>
      {notice && <div className="notice" role="status">{notice}</div>}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {isNew && !config.name && editing && (
        <div className="hint">
          Name the state machine: <NameInput value={config.name} onChange={(name) => setConfig({ ...config, name })} />
        </div>
      )}
      <Tabs tabs={tabs} current={tab} onSelect={setTab} label="State machine" />
      {tab === "executions" && !isNew && (express ? <ExpressRuns runs={syncRuns} onStart={() => setStarting(true)} /> : <ExecutionList machineArn={arn} onStart={() => setStarting(true)} />)}
      {tab === "design" && (
        <div className="designer">
          <Palette
            onAdd={(type) => {
              const scope = selected ? selected.slice(0, selected.lastIndexOf("/States/")) : "";
              const r = addState(def, scope, type, selected);
              onGraphChange(r.def, r.path);
            }}
          />
          <div className="designer-graph">
            {parseError && <div className="graph-banner">The code has an error: the graph shows the last definition that parsed.</div>}
            <GraphView def={def} problems={problems} selected={selected} onSelect={setSelected} onChange={onGraphChange} />
          </div>
          <aside className="designer-side">
            <Inspector def={def} path={selected} onChange={onGraphChange} problems={selected ? problems.get(selected) ?? [] : []} />
            <Problems diagnostics={diagnostics} def={def} onSelect={setSelected} />
          </aside>
        </div>
      )}
      {tab === "code" && (
        <div className="code-tab">
          <div className="code-toolbar">
            <Tabs
              label="Format"
              tabs={[
                { id: "json", label: "JSON" },
                { id: "yaml", label: "YAML" },
              ]}
              current={format}
              onSelect={(f) => model.setFormat(f as "json" | "yaml")}
            />
            <span className={diagnostics.length ? "validity bad" : "validity good"} role="status">
              {diagnostics.length ? `${diagnostics.length} problem${diagnostics.length > 1 ? "s" : ""}` : "Valid definition"}
            </span>
          </div>
          <AslEditor text={text} format={format} onChange={model.editText} diagnostics={diagnostics} stateNames={names} parseError={parseError} />
          <Problems diagnostics={diagnostics} def={def} />
        </div>
      )}
      {tab === "config" && <ConfigTab arn={arn} isNew={isNew} config={config} onChange={setConfig} machine={loaded.value ?? undefined} />}
      <StartDialog
        open={starting}
        onClose={() => setStarting(false)}
        machineArn={arn}
        express={express}
        onSyncResult={(r) => {
          setSyncRuns((runs) => [r, ...runs]);
          setTab("executions");
        }}
      />
    </section>
  );
}

function NameInput({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [v, setV] = useState(value);
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(v.trim());
      }}
    >
      <input aria-label="State machine name" placeholder="my-workflow" value={v} onChange={(e) => setV(e.target.value)} pattern="[A-Za-z0-9_\-]{1,80}" required />
      <button type="submit">Set name</button>
    </form>
  );
}

function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  return (
    <div className="palette" role="toolbar" aria-label="States: drag onto the graph, or press Enter to add after the selected state">
      <h3>States</h3>
      {STATE_TYPES.map((t) => (
        <button
          key={t}
          className={`palette-item type-${t.toLowerCase()}`}
          draggable
          data-testid={`palette-${t}`}
          onDragStart={(e) => {
            e.dataTransfer.setData("application/x-baton-state", t);
            e.dataTransfer.effectAllowed = "move";
          }}
          onClick={() => onAdd(t)}
          title={`Add a ${t} state`}
        >
          {t}
        </button>
      ))}
    </div>
  );
}

function Problems({ diagnostics, def, onSelect }: { diagnostics: Diagnostic[]; def: Definition; onSelect?: (path: string) => void }) {
  if (diagnostics.length === 0) return null;
  return (
    <div className="problems" aria-label="Problems">
      <h3>Problems</h3>
      <ul>
        {diagnostics.map((d, i) => {
          const path = stateOfLocation(def, d.location);
          return (
            <li key={i} className={d.severity === "ERROR" ? "error" : "warning"}>
              <span className="code">{d.code}</span> {d.message}
              {d.location && (
                <>
                  {" "}
                  {path && onSelect ? (
                    <button className="link" onClick={() => onSelect(path)}>
                      {d.location}
                    </button>
                  ) : (
                    <code className="muted">{d.location}</code>
                  )}
                </>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

// ---- Config.

function defaultLogGroup(name: string): string {
  return `arn:aws:logs:us-east-1:123456789012:log-group:/baton/${name || "workflow"}:*`;
}

interface Config {
  name: string;
  type: "STANDARD" | "EXPRESS";
  logLevel: string;
  includeData: boolean;
  logGroup: string;
  tags: [string, string][];
}

function ConfigTab({ arn, isNew, config, onChange, machine }: { arn: string; isNew: boolean; config: Config; onChange: (c: Config) => void; machine?: StateMachine }) {
  const extra = useAsync(async () => {
    if (isNew) return { tags: [], versions: [], aliases: [] };
    const [t, v, a] = await Promise.all([
      call("ListTagsForResource", { resourceArn: arn }),
      call("ListStateMachineVersions", { stateMachineArn: arn, maxResults: 100 }),
      call("ListStateMachineAliases", { stateMachineArn: arn, maxResults: 100 }),
    ]);
    return { tags: t.tags as { key: string; value: string }[], versions: v.stateMachineVersions as { stateMachineVersionArn: string; creationDate: number }[], aliases: a.stateMachineAliases as { stateMachineAliasArn: string; creationDate: number }[] };
  }, [arn]);
  const [error, setError] = useState<unknown>();
  const [tagKey, setTagKey] = useState("");
  const [tagValue, setTagValue] = useState("");
  const [aliasName, setAliasName] = useState("");
  const [aliasVersion, setAliasVersion] = useState("");
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      extra.reload();
    } catch (e) {
      setError(e);
    }
  };
  const tags: [string, string][] = isNew ? config.tags : (extra.value?.tags ?? []).map((t) => [t.key, t.value]);
  return (
    <div className="config-tab">
      <ErrorBanner error={error ?? extra.error} />
      <section className="card">
        <h2>General</h2>
        <label className="field">
          <span>Name</span>
          <input value={config.name} readOnly={!isNew} aria-label="Name" onChange={(e) => onChange({ ...config, name: e.target.value })} placeholder="my-workflow" />
        </label>
        <label className="field">
          <span>Type</span>
          <select value={config.type} disabled={!isNew} onChange={(e) => onChange({ ...config, type: e.target.value as Config["type"] })}>
            <option value="STANDARD">Standard</option>
            <option value="EXPRESS">Express</option>
          </select>
        </label>
        {machine && (
          <p className="muted small">
            {machine.stateMachineArn} · created {formatDate(machine.creationDate)}
          </p>
        )}
      </section>
      <section className="card">
        <h2>Logging</h2>
        <label className="field">
          <span>Level</span>
          <select value={config.logLevel} onChange={(e) => onChange({ ...config, logLevel: e.target.value })}>
            {["OFF", "ALL", "ERROR", "FATAL"].map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={config.includeData} onChange={(e) => onChange({ ...config, includeData: e.target.checked })} /> Include execution data
        </label>
        {config.logLevel !== "OFF" && (
          <label className="field">
            <span>Log group ARN</span>
            <input value={config.logGroup} placeholder={defaultLogGroup(config.name)} onChange={(e) => onChange({ ...config, logGroup: e.target.value })} />
          </label>
        )}
        <p className="muted small">Saved with the definition. Baton writes Express executions' logs where <code>baton serve --express-log</code> says.</p>
      </section>
      <section className="card">
        <h2>Tags</h2>
        <table className="table compact">
          <tbody>
            {tags.map(([k, v]) => (
              <tr key={k}>
                <td>{k}</td>
                <td>{v}</td>
                <td className="row-actions">
                  <button
                    className="link danger"
                    aria-label={`Remove tag ${k}`}
                    onClick={() => (isNew ? onChange({ ...config, tags: config.tags.filter(([x]) => x !== k) }) : act(() => call("UntagResource", { resourceArn: arn, tagKeys: [k] })))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!tagKey) return;
            if (isNew) onChange({ ...config, tags: [...config.tags.filter(([x]) => x !== tagKey), [tagKey, tagValue]] });
            else act(() => call("TagResource", { resourceArn: arn, tags: [{ key: tagKey, value: tagValue }] }));
            setTagKey("");
            setTagValue("");
          }}
        >
          <input placeholder="Key" aria-label="Tag key" value={tagKey} onChange={(e) => setTagKey(e.target.value)} />
          <input placeholder="Value" aria-label="Tag value" value={tagValue} onChange={(e) => setTagValue(e.target.value)} />
          <button type="submit">Add tag</button>
        </form>
      </section>
      {!isNew && (
        <>
          <section className="card">
            <h2>Versions</h2>
            <p className="muted small">Tick “Publish a version” before saving to publish one with the definition.</p>
            <table className="table compact">
              <tbody>
                {(extra.value?.versions ?? []).map((v) => (
                  <tr key={v.stateMachineVersionArn}>
                    <td>Version {v.stateMachineVersionArn.split(":").pop()}</td>
                    <td>{formatDate(v.creationDate)}</td>
                    <td className="row-actions">
                      <button className="link danger" onClick={() => act(() => call("DeleteStateMachineVersion", { stateMachineVersionArn: v.stateMachineVersionArn }))}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button onClick={() => act(() => call("PublishStateMachineVersion", { stateMachineArn: arn }))}>Publish the saved definition</button>
          </section>
          <section className="card">
            <h2>Aliases</h2>
            <table className="table compact">
              <tbody>
                {(extra.value?.aliases ?? []).map((a) => (
                  <AliasRow key={a.stateMachineAliasArn} arn={a.stateMachineAliasArn} onDelete={() => act(() => call("DeleteStateMachineAlias", { stateMachineAliasArn: a.stateMachineAliasArn }))} />
                ))}
              </tbody>
            </table>
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                act(() =>
                  call("CreateStateMachineAlias", {
                    name: aliasName,
                    routingConfiguration: [{ stateMachineVersionArn: aliasVersion, weight: 100 }],
                  }),
                );
                setAliasName("");
              }}
            >
              <input placeholder="Alias name" aria-label="Alias name" value={aliasName} onChange={(e) => setAliasName(e.target.value)} required />
              <select aria-label="Alias version" value={aliasVersion} onChange={(e) => setAliasVersion(e.target.value)} required>
                <option value="">Version…</option>
                {(extra.value?.versions ?? []).map((v) => (
                  <option key={v.stateMachineVersionArn} value={v.stateMachineVersionArn}>
                    Version {v.stateMachineVersionArn.split(":").pop()}
                  </option>
                ))}
              </select>
              <button type="submit">Create alias</button>
            </form>
          </section>
        </>
      )}
    </div>
  );
}

function AliasRow({ arn, onDelete }: { arn: string; onDelete: () => void }) {
  const a = useAsync(() => call("DescribeStateMachineAlias", { stateMachineAliasArn: arn }), [arn]);
  return (
    <tr>
      <td>{arn.split(":").pop()}</td>
      <td>{(a.value?.routingConfiguration ?? []).map((r: any) => `version ${r.stateMachineVersionArn.split(":").pop()} (${r.weight}%)`).join(", ")}</td>
      <td className="row-actions">
        <button className="link danger" onClick={onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

// ---- Executions.

const STATUSES = ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
const PAGE = 25;

export function ExecutionList({ machineArn, onStart }: { machineArn: string; onStart: () => void }) {
  const [status, setStatus] = useState("");
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const token = tokens[tokens.length - 1];
  const page = useAsync(
    () => call<{ executions: ExecutionListItem[]; nextToken?: string }>("ListExecutions", { stateMachineArn: machineArn, maxResults: PAGE, ...(status ? { statusFilter: status } : {}), ...(token ? { nextToken: token } : {}) }),
    [machineArn, status, token],
  );
  // A running execution in view: refresh every two seconds.
  const running = page.value?.executions.some((e) => e.status === "RUNNING");
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(page.reload, 2000);
    return () => clearTimeout(t);
  }, [running, page]);
  return (
    <div className="executions">
      <div className="toolbar">
        <label className="field inline">
          <span>Status</span>
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setTokens([undefined]);
            }}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s ? s.replace("_", " ").toLowerCase() : "any"}
              </option>
            ))}
          </select>
        </label>
        <button onClick={page.reload}>Refresh</button>
        <span className="spacer" />
        <button onClick={onStart}>Start execution</button>
      </div>
      <ErrorBanner error={page.error} />
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Started</th>
            <th>Ended</th>
          </tr>
        </thead>
        <tbody>
          {(page.value?.executions ?? []).map((e) => (
            <tr key={e.executionArn}>
              <td>
                <a href={href(["executions", e.executionArn])}>{e.name}</a>
                {e.redriveCount ? <span className="muted small"> · redriven {e.redriveCount}×</span> : null}
              </td>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>{formatDate(e.startDate)}</td>
              <td>{formatDate(e.stopDate)}</td>
            </tr>
          ))}
          {page.value && page.value.executions.length === 0 && (
            <tr>
              <td colSpan={4} className="empty">
                No executions{status ? ` with status ${status.toLowerCase()}` : ""}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="pager">
        <button disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          ‹ Newer
        </button>
        <span>Page {tokens.length}</span>
        <button disabled={!page.value?.nextToken} onClick={() => setTokens([...tokens, page.value!.nextToken])}>
          Older ›
        </button>
      </div>
    </div>
  );
}

export interface SyncRun {
  executionArn: string;
  name: string;
  status: string;
  startDate: number;
  stopDate: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** Express executions are not listed by the API (as in AWS): the runs started here. */
function ExpressRuns({ runs, onStart }: { runs: SyncRun[]; onStart: () => void }) {
  return (
    <div className="executions">
      <div className="toolbar">
        <p className="muted small">
          An Express state machine's executions are not listed by the API, as in AWS. Start one here to run it with StartSyncExecution and see its result; its log goes where
          <code> baton serve --express-log</code> says.
        </p>
        <span className="spacer" />
        <button className="primary" onClick={onStart}>
          Start execution
        </button>
      </div>
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Started</th>
            <th>Output or error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.executionArn}>
              <td>{r.name}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{formatDate(r.startDate)}</td>
              <td>{r.status === "SUCCEEDED" ? <Json text={r.output} /> : <span className="field-error"><strong>{r.error}</strong> {r.cause}</span>}</td>
            </tr>
          ))}
          {runs.length === 0 && (
            <tr>
              <td colSpan={4} className="empty">
                No executions started from this page yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export function StartDialog({ open, onClose, machineArn, input: initialInput, express, onSyncResult }: { open: boolean; onClose: () => void; machineArn: string; input?: string; express?: boolean; onSyncResult?: (r: SyncRun) => void }) {
  const [name, setName] = useState("");
  const [target, setTarget] = useState(machineArn);
  const targets = useAsync(async () => {
    // A state machine, or one of its versions or aliases (not for a version's own ARN).
    if (!open || /:\d+$/.test(machineArn)) return [];
    const [v, a] = await Promise.all([
      call("ListStateMachineVersions", { stateMachineArn: machineArn, maxResults: 100 }).catch(() => ({ stateMachineVersions: [] })),
      call("ListStateMachineAliases", { stateMachineArn: machineArn, maxResults: 100 }).catch(() => ({ stateMachineAliases: [] })),
    ]);
    return [
      ...(a.stateMachineAliases ?? []).map((x: { stateMachineAliasArn: string }) => [x.stateMachineAliasArn, `Alias ${x.stateMachineAliasArn.split(":").pop()}`]),
      ...(v.stateMachineVersions ?? []).map((x: { stateMachineVersionArn: string }) => [x.stateMachineVersionArn, `Version ${x.stateMachineVersionArn.split(":").pop()}`]),
    ] as [string, string][];
  }, [open, machineArn]);
  const [input, setInput] = useState(initialInput ?? '{\n  "ok": true\n}');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title="Start an execution" open={open} onClose={onClose} wide>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            JSON.parse(input);
            if (express) {
              const r = await call<SyncRun>("StartSyncExecution", { stateMachineArn: target, input, ...(name ? { name } : {}) });
              onClose();
              onSyncResult?.(r);
              return;
            }
            const r = await call("StartExecution", { stateMachineArn: target, input, ...(name ? { name } : {}) });
            onClose();
            navigate(["executions", r.executionArn]);
          } catch (err) {
            setError(err instanceof SyntaxError ? { type: "Input", message: `The input is not JSON: ${err.message}` } : err);
          } finally {
            setBusy(false);
          }
        }}
      >
        {(targets.value ?? []).length > 0 && (
          <label className="field">
            <span>Run</span>
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value={machineArn}>The saved definition</option>
              {targets.value!.map(([arn, label]) => (
                <option key={arn} value={arn}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>Name (optional)</span>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="generated when empty" />
        </label>
        <div className="field">
          <span>Input</span>
          <JsonEditor value={input} onChange={setInput} label="Execution input" />
        </div>
        <ErrorBanner error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Start
          </button>
        </div>
      </form>
    </Dialog>
  );
}
