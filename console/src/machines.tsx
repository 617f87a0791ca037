// The state machines: list, create from a template, delete.
import { useState } from "react";
import { call, formatDate, listAll, type ExecutionListItem, type StateMachineListItem } from "./api";
import { TEMPLATES } from "./asl";
import { href, navigate } from "./router";
import { Dialog, ErrorBanner, StatusBadge, useAsync } from "./ui";

interface Row extends StateMachineListItem {
  recent?: ExecutionListItem[];
}

async function loadMachines(): Promise<Row[]> {
  const machines = await listAll<StateMachineListItem>("ListStateMachines", { maxResults: 1000 }, "stateMachines");
  machines.sort((a, b) => a.name.localeCompare(b.name));
  // The recent executions of the first hundred.
  const rows: Row[] = machines;
  await Promise.all(
    rows.slice(0, 100).map(async (m) => {
      if (m.type === "EXPRESS") return;
      try {
        const r = await call("ListExecutions", { stateMachineArn: m.stateMachineArn, maxResults: 5 });
        m.recent = r.executions;
      } catch {
        m.recent = [];
      }
    }),
  );
  return rows;
}

export function MachineList() {
  const { value, error, loading, reload } = useAsync(loadMachines, []);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Row | null>(null);
  const [filter, setFilter] = useState("");
  const [actionError, setActionError] = useState<unknown>(null);
  const rows = (value ?? []).filter((m) => m.name.toLowerCase().includes(filter.toLowerCase()));
  return (
    <section className="page">
      <div className="page-head">
        <h1>State machines</h1>
        <div className="actions">
          <input type="search" placeholder="Filter by name" aria-label="Filter state machines by name" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <button onClick={reload}>Refresh</button>
          <button className="primary" onClick={() => setCreating(true)}>
            Create state machine
          </button>
        </div>
      </div>
      <ErrorBanner error={error ?? actionError} onClose={() => setActionError(null)} />
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Created</th>
            <th>Recent executions</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={m.stateMachineArn}>
              <td>
                <a href={href(["machines", m.stateMachineArn])}>{m.name}</a>
              </td>
              <td>{m.type === "EXPRESS" ? "Express" : "Standard"}</td>
              <td>{formatDate(m.creationDate)}</td>
              <td>
                <div className="recent">
                {(m.recent ?? []).map((e) => (
                  <a key={e.executionArn} href={href(["executions", e.executionArn])} title={`${e.name}: ${e.status}`}>
                    <StatusBadge status={e.status} />
                  </a>
                ))}
                {m.recent && m.recent.length === 0 && <span className="muted">none</span>}
                {m.type === "EXPRESS" && <span className="muted">not listed for Express</span>}
                </div>
              </td>
              <td className="row-actions">
                <button className="link danger" onClick={() => setDeleting(m)} aria-label={`Delete ${m.name}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {!loading && rows.length === 0 && (
            <tr>
              <td colSpan={5} className="empty">
                No state machines yet. <button className="link" onClick={() => setCreating(true)}>Create one</button>
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Dialog title="Create a state machine" open={creating} onClose={() => setCreating(false)} wide>
        <p>Start from a blank workflow or a template; name it and save it in the editor.</p>
        <div className="templates">
          {TEMPLATES.map((t) => (
            <button key={t.id} className="template" onClick={() => navigate(["machines", "new", "design"], { template: t.id })}>
              <strong>{t.title}</strong>
              <span>{t.description}</span>
            </button>
          ))}
        </div>
      </Dialog>
      <Dialog title="Delete state machine" open={!!deleting} onClose={() => setDeleting(null)}>
        <p>
          Delete <strong>{deleting?.name}</strong>? Running executions go on until they end.
        </p>
        <div className="dialog-actions">
          <button onClick={() => setDeleting(null)}>Cancel</button>
          <button
            className="danger"
            onClick={async () => {
              try {
                await call("DeleteStateMachine", { stateMachineArn: deleting!.stateMachineArn });
              } catch (e) {
                setActionError(e);
              }
              setDeleting(null);
              reload();
            }}
          >
            Delete
          </button>
        </div>
      </Dialog>
    </section>
  );
}
