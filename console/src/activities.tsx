// Activities, and the tasks scheduled for each. The API has no call that lists an
// activity's waiting tasks (GetActivityTask hands one to a worker), so they are found
// in the histories of running executions: an ActivityScheduled or ActivityStarted event
// with no later end of that activity task.
import { useState } from "react";
import { call, formatDate, listAll, type ExecutionListItem, type HistoryEvent, type StateMachineListItem } from "./api";
import { href, navigate } from "./router";
import { ErrorBanner, Json, useAsync } from "./ui";

interface Activity {
  activityArn: string;
  name: string;
  creationDate: number;
}

interface PendingTask {
  execution: ExecutionListItem;
  state: string;
  scheduled: HistoryEvent;
  started?: HistoryEvent;
  input?: string;
  timeoutInSeconds?: number;
  heartbeatInSeconds?: number;
}

const RUNNING_LIMIT = 200;

async function pendingTasks(activityArn: string): Promise<{ tasks: PendingTask[]; scanned: number; more: boolean }> {
  const machines = await listAll<StateMachineListItem>("ListStateMachines", { maxResults: 1000 }, "stateMachines");
  const running: ExecutionListItem[] = [];
  for (const m of machines) {
    if (running.length >= RUNNING_LIMIT) break;
    const r = await call("ListExecutions", { stateMachineArn: m.stateMachineArn, statusFilter: "RUNNING", maxResults: 100 });
    running.push(...r.executions);
  }
  const tasks: PendingTask[] = [];
  await Promise.all(
    running.slice(0, RUNNING_LIMIT).map(async (execution) => {
      const events: HistoryEvent[] = (await call("GetExecutionHistory", { executionArn: execution.executionArn, maxResults: 1000 })).events;
      const open = new Map<number, PendingTask>();
      const byId = new Map(events.map((e) => [e.id, e]));
      const stateOf = (e: HistoryEvent): string => {
        let p = byId.get(e.previousEventId);
        while (p && !p.type.endsWith("StateEntered")) p = byId.get(p.previousEventId);
        return p?.stateEnteredEventDetails?.name ?? "?";
      };
      for (const e of events) {
        if (e.type === "ActivityScheduled" && e.activityScheduledEventDetails?.resource === activityArn) {
          const d = e.activityScheduledEventDetails;
          open.set(e.id, { execution, state: stateOf(e), scheduled: e, input: d.input, timeoutInSeconds: d.timeoutInSeconds, heartbeatInSeconds: d.heartbeatInSeconds });
        } else if (e.type === "ActivityStarted") {
          const t = open.get(e.previousEventId);
          if (t) {
            open.delete(e.previousEventId);
            t.started = e;
            open.set(e.id, t);
          }
        } else if (/^Activity(Succeeded|Failed|TimedOut|ScheduleFailed)$/.test(e.type)) {
          open.delete(e.previousEventId);
        }
      }
      tasks.push(...open.values());
    }),
  );
  tasks.sort((a, b) => a.scheduled.timestamp - b.scheduled.timestamp);
  return { tasks, scanned: Math.min(running.length, RUNNING_LIMIT), more: running.length > RUNNING_LIMIT };
}

export function ActivitiesPage({ selected }: { selected?: string }) {
  const list = useAsync(() => listAll<Activity>("ListActivities", { maxResults: 1000 }, "activities"), []);
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>();
  return (
    <section className="page">
      <div className="page-head">
        <h1>Activities</h1>
        <form
          className="inline-form actions"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              await call("CreateActivity", { name });
              setName("");
              list.reload();
            } catch (err) {
              setError(err);
            }
          }}
        >
          <input placeholder="activity-name" aria-label="New activity name" value={name} onChange={(e) => setName(e.target.value)} required />
          <button type="submit" className="primary">
            Create activity
          </button>
        </form>
      </div>
      <ErrorBanner error={error ?? list.error} onClose={() => setError(undefined)} />
      <div className="split">
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(list.value ?? []).map((a) => (
              <tr key={a.activityArn} className={selected === a.activityArn ? "selected-row" : undefined}>
                <td>
                  <a href={href(["activities", a.activityArn])}>{a.name}</a>
                </td>
                <td>{formatDate(a.creationDate)}</td>
                <td className="row-actions">
                  <button
                    className="link danger"
                    onClick={async () => {
                      try {
                        await call("DeleteActivity", { activityArn: a.activityArn });
                        if (selected === a.activityArn) navigate(["activities"]);
                        list.reload();
                      } catch (err) {
                        setError(err);
                      }
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {list.value?.length === 0 && (
              <tr>
                <td colSpan={3} className="empty">
                  No activities.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {selected && <ActivityTasks arn={selected} />}
      </div>
    </section>
  );
}

function ActivityTasks({ arn }: { arn: string }) {
  const r = useAsync(() => pendingTasks(arn), [arn]);
  return (
    <section className="card activity-tasks">
      <div className="page-head">
        <h2>Tasks for {arn.split(":").pop()}</h2>
        <button onClick={r.reload}>Refresh</button>
      </div>
      <p className="muted small">
        Step Functions has no call that lists an activity's waiting tasks; these are the activity tasks open in running executions' histories (scheduled: waiting for a worker; started: a worker has it).
      </p>
      <ErrorBanner error={r.error} />
      {r.loading && <p className="muted">Looking through running executions…</p>}
      {r.value && (
        <>
          <table className="table compact">
            <thead>
              <tr>
                <th>Execution</th>
                <th>State</th>
                <th>Status</th>
                <th>Scheduled</th>
                <th>Input</th>
              </tr>
            </thead>
            <tbody>
              {r.value.tasks.map((t) => (
                <tr key={`${t.execution.executionArn}#${t.scheduled.id}`}>
                  <td>
                    <a href={href(["executions", t.execution.executionArn])}>{t.execution.name}</a>
                  </td>
                  <td>{t.state}</td>
                  <td>{t.started ? `started by ${t.started.activityStartedEventDetails?.workerName ?? "a worker"}` : "waiting for a worker"}</td>
                  <td>{formatDate(t.scheduled.timestamp)}</td>
                  <td>
                    <Json text={t.input} />
                  </td>
                </tr>
              ))}
              {r.value.tasks.length === 0 && (
                <tr>
                  <td colSpan={5} className="empty">
                    No open tasks in {r.value.scanned} running executions.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {r.value.more && <p className="muted small">Only the first {RUNNING_LIMIT} running executions were looked at.</p>}
        </>
      )}
    </section>
  );
}
