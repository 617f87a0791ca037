// The Design tab's form: the selected state's fields, or the workflow's.
import { useEffect, useState } from "react";
import { addBranch, get, removeBranch, renameState, replaceState, ruleLabel, scopeOf, type Definition, type State } from "./asl";

interface Props {
  def: Definition;
  path: string | undefined;
  onChange: (def: Definition, select?: string) => void;
  problems: string[];
}

/** A text input that commits on blur or Enter. */
function Field({ label, value, onCommit, placeholder, type = "text" }: { label: string; value: string; onCommit: (v: string) => void; placeholder?: string; type?: string }) {
  const [v, setV] = useState(value);
  useEffect(() => setV(value), [value]);
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type={type}
        value={v}
        placeholder={placeholder}
        onChange={(e) => setV(e.target.value)}
        onBlur={() => v !== value && onCommit(v)}
        onKeyDown={(e) => {
          if (e.key === "Enter") (e.target as HTMLInputElement).blur();
          if (e.key === "Escape") setV(value);
        }}
      />
    </label>
  );
}

/** A JSON value in a textarea: committed when it parses; empty removes the field. */
function JsonField({ label, value, onCommit, rows = 4 }: { label: string; value: unknown; onCommit: (v: unknown) => void; rows?: number }) {
  const shown = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [v, setV] = useState(shown);
  const [error, setError] = useState<string>();
  useEffect(() => {
    setV(shown);
    setError(undefined);
  }, [shown]);
  return (
    <label className="field">
      <span>{label}</span>
      <textarea
        rows={rows}
        value={v}
        spellCheck={false}
        aria-invalid={!!error}
        onChange={(e) => setV(e.target.value)}
        onBlur={() => {
          if (v === shown) return;
          if (v.trim() === "") return onCommit(undefined);
          try {
            onCommit(JSON.parse(v));
            setError(undefined);
          } catch (e) {
            setError((e as Error).message);
          }
        }}
      />
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}

function Select({ label, value, options, onCommit }: { label: string; value: string; options: [string, string][]; onCommit: (v: string) => void }) {
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} onChange={(e) => onCommit(e.target.value)}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

const END_VALUE = "\u0000end";

export function Inspector({ def, path, onChange, problems }: Props) {
  if (!path) return <WorkflowForm def={def} onChange={onChange} />;
  const state = get(def, path) as State | undefined;
  if (!state) return <WorkflowForm def={def} onChange={onChange} />;
  const { scope, name } = scopeOf(path);
  const scopeObj = scope === "" ? def : get(def, scope);
  const siblings = Object.keys(scopeObj?.States ?? {}).filter((n) => n !== name);
  const jsonata = (state.QueryLanguage ?? def.QueryLanguage) === "JSONata";
  const set = (field: string, value: unknown) => {
    const next: State = { ...state };
    if (value === undefined || value === "") delete next[field];
    else next[field] = value;
    onChange(replaceState(def, path, next), path);
  };
  const transitions = state.Type !== "Choice" && state.Type !== "Succeed" && state.Type !== "Fail";
  return (
    <div className="inspector" aria-label={`State ${name}`}>
      <h3>
        {state.Type} state
      </h3>
      {problems.length > 0 && (
        <ul className="problems-inline">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      <Field
        label="Name"
        value={name}
        onCommit={(to) => {
          const next = renameState(def, path, to);
          if (next !== def) onChange(next, `${scope}/States/${to.replace(/~/g, "~0").replace(/\//g, "~1")}`);
        }}
      />
      <Field label="Comment" value={state.Comment ?? ""} onCommit={(v) => set("Comment", v)} />
      {transitions && (
        <Select
          label="Next state"
          value={state.End ? END_VALUE : state.Next ?? ""}
          options={[["", "(none)"], [END_VALUE, "End of the workflow"], ...siblings.map((s): [string, string] => [s, s])]}
          onCommit={(v) => {
            const next: State = { ...state };
            delete next.Next;
            delete next.End;
            if (v === END_VALUE) next.End = true;
            else if (v) next.Next = v;
            onChange(replaceState(def, path, next), path);
          }}
        />
      )}
      {state.Type === "Task" && (
        <>
          <Field label="Resource" value={state.Resource ?? ""} onCommit={(v) => set("Resource", v)} placeholder="arn:aws:states:::lambda:invoke" />
          <JsonField label={jsonata ? "Arguments" : "Parameters"} value={jsonata ? state.Arguments : state.Parameters} onCommit={(v) => set(jsonata ? "Arguments" : "Parameters", v)} rows={5} />
          <Field label="Timeout (seconds)" type="number" value={state.TimeoutSeconds?.toString() ?? ""} onCommit={(v) => set("TimeoutSeconds", v ? Number(v) : undefined)} />
          <Field label="Heartbeat (seconds)" type="number" value={state.HeartbeatSeconds?.toString() ?? ""} onCommit={(v) => set("HeartbeatSeconds", v ? Number(v) : undefined)} />
        </>
      )}
      {state.Type === "Wait" && (
        <>
          <Field label="Seconds" type="number" value={state.Seconds?.toString() ?? ""} onCommit={(v) => set("Seconds", v ? Number(v) : undefined)} />
          <Field label="Timestamp" value={state.Timestamp ?? ""} onCommit={(v) => set("Timestamp", v)} placeholder="2030-01-01T00:00:00Z" />
        </>
      )}
      {state.Type === "Pass" && <JsonField label="Result" value={state.Result} onCommit={(v) => set("Result", v)} />}
      {state.Type === "Fail" && (
        <>
          <Field label="Error" value={state.Error ?? ""} onCommit={(v) => set("Error", v)} />
          <Field label="Cause" value={state.Cause ?? ""} onCommit={(v) => set("Cause", v)} />
        </>
      )}
      {state.Type === "Parallel" && (
        <div className="field">
          <span>Branches</span>
          <ol className="rules">
            {(state.Branches ?? []).map((b: Definition, i: number) => (
              <li key={i}>
                starts at <code>{b.StartAt}</code>, {Object.keys(b.States ?? {}).length} states{" "}
                <button className="link danger" disabled={(state.Branches ?? []).length <= 1} onClick={() => onChange(removeBranch(def, path, i), path)} aria-label={`Remove branch ${i + 1}`}>
                  Remove
                </button>
              </li>
            ))}
          </ol>
          <button onClick={() => onChange(addBranch(def, path), path)}>Add branch</button>
        </div>
      )}
      {state.Type === "Map" && (
        <>
          <Field label={jsonata ? "Items (JSONata)" : "Items path"} value={(jsonata ? state.Items : state.ItemsPath) ?? ""} onCommit={(v) => set(jsonata ? "Items" : "ItemsPath", v)} />
          <Field label="Max concurrency" type="number" value={state.MaxConcurrency?.toString() ?? ""} onCommit={(v) => set("MaxConcurrency", v ? Number(v) : undefined)} />
        </>
      )}
      {state.Type === "Choice" && (
        <>
          <div className="field">
            <span>Rules</span>
            <ol className="rules">
              {(state.Choices ?? []).map((rule: any, i: number) => (
                <li key={i}>
                  <code>{ruleLabel(rule)}</code> → {rule.Next}
                </li>
              ))}
            </ol>
          </div>
          <JsonField label="Rules (JSON)" value={state.Choices} onCommit={(v) => set("Choices", v ?? [])} rows={6} />
          <Select
            label="Default"
            value={state.Default ?? ""}
            options={[["", "(none)"], ...siblings.map((s): [string, string] => [s, s])]}
            onCommit={(v) => set("Default", v)}
          />
        </>
      )}
      {jsonata ? (
        <>
          <JsonField label="Output (JSONata)" value={state.Output} onCommit={(v) => set("Output", v)} rows={2} />
          <JsonField label="Assign" value={state.Assign} onCommit={(v) => set("Assign", v)} rows={2} />
        </>
      ) : (
        state.Type !== "Fail" &&
        state.Type !== "Succeed" && (
          <details>
            <summary>Input and output paths</summary>
            <Field label="InputPath" value={state.InputPath ?? ""} onCommit={(v) => set("InputPath", v)} />
            {state.Type !== "Choice" && state.Type !== "Wait" && <Field label="ResultPath" value={state.ResultPath === null ? "null" : state.ResultPath ?? ""} onCommit={(v) => set("ResultPath", v === "null" ? null : v)} />}
            <Field label="OutputPath" value={state.OutputPath ?? ""} onCommit={(v) => set("OutputPath", v)} />
            {(state.Type === "Task" || state.Type === "Map" || state.Type === "Parallel") && <JsonField label="ResultSelector" value={state.ResultSelector} onCommit={(v) => set("ResultSelector", v)} rows={2} />}
          </details>
        )
      )}
      {(state.Type === "Task" || state.Type === "Map" || state.Type === "Parallel") && (
        <>
          <JsonField label="Retry" value={state.Retry} onCommit={(v) => set("Retry", v)} rows={4} />
          <JsonField label="Catch" value={state.Catch} onCommit={(v) => set("Catch", v)} rows={4} />
        </>
      )}
    </div>
  );
}

function WorkflowForm({ def, onChange }: { def: Definition; onChange: (def: Definition) => void }) {
  const set = (field: string, value: unknown) => {
    const next = { ...def };
    if (value === undefined || value === "") delete next[field];
    else next[field] = value;
    onChange(next);
  };
  return (
    <div className="inspector" aria-label="Workflow">
      <h3>Workflow</h3>
      <p className="muted small">Select a state to edit it. Drag a state from the palette onto the graph (onto a state to put it after that state), or focus a palette item and press Enter.</p>
      <Field label="Comment" value={def.Comment ?? ""} onCommit={(v) => set("Comment", v)} />
      <Select
        label="Query language"
        value={def.QueryLanguage ?? "JSONPath"}
        options={[["JSONPath", "JSONPath"], ["JSONata", "JSONata"]]}
        onCommit={(v) => set("QueryLanguage", v === "JSONPath" ? undefined : v)}
      />
      <Select
        label="Start at"
        value={def.StartAt ?? ""}
        options={[["", "(none)"], ...Object.keys(def.States ?? {}).map((s): [string, string] => [s, s])]}
        onCommit={(v) => set("StartAt", v)}
      />
      <Field label="Timeout (seconds)" type="number" value={def.TimeoutSeconds?.toString() ?? ""} onCommit={(v) => set("TimeoutSeconds", v ? Number(v) : undefined)} />
    </div>
  );
}
