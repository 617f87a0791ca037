// Triggers: webhooks (Baton.*), EventBridge Scheduler's schedules (its REST routes),
// EventBridge rules on an event bus (AWSEvents.*), and the dead letters of starts that
// failed. Listed, and deleted; they are created through those APIs or the server's
// [triggers] configuration.
import { useState, type ReactNode } from "react";
import { callTarget, formatDate, rest } from "./api";
import { href, navigate } from "./router";
import { Dialog, ErrorBanner, Json, Tabs, useAsync } from "./ui";

interface Webhook {
  Name: string;
  Target: string;
  Mode: string;
  Url: string;
  Auth?: { Type: string; Header: string; Prefix?: string };
  MaxConcurrency?: number;
  Description?: string;
}

interface Schedule {
  Arn: string;
  Name: string;
  GroupName: string;
  State: string;
  CreationDate: number;
  Target: { Arn: string; Input?: string };
  ScheduleExpression?: string;
  ScheduleExpressionTimezone?: string;
  Description?: string;
}

interface RuleTarget {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
}

interface Rule {
  Name: string;
  Arn: string;
  EventPattern?: string;
  State: string;
  Description?: string;
  EventBusName: string;
  /** Fetched for the first DETAILS_LIMIT rules. */
  targets?: RuleTarget[];
}

interface DeadLetter {
  Id: number;
  TriggerType: string;
  TriggerName: string;
  Date: number;
  Target: string;
  Input?: string;
  Error: string;
  Cause: string;
  Attempts: number;
}

/** How many schedules get their details (expression, time zone), and rules their targets. */
const DETAILS_LIMIT = 200;

async function loadWebhooks(): Promise<Webhook[]> {
  const r = await callTarget<{ Webhooks: Webhook[] }>("Baton.ListWebhooks", {});
  return (r.Webhooks ?? []).sort((a, b) => a.Name.localeCompare(b.Name));
}

async function loadSchedules(): Promise<Schedule[]> {
  const all: Schedule[] = [];
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ MaxResults: "100", ...(token ? { NextToken: token } : {}) });
    const page = await rest<{ Schedules: Schedule[]; NextToken?: string }>("GET", `/schedules?${q}`);
    all.push(...(page.Schedules ?? []));
    token = page.NextToken;
  } while (token && all.length < 10000);
  all.sort((a, b) => a.GroupName.localeCompare(b.GroupName) || a.Name.localeCompare(b.Name));
  // The list has no expressions: GetSchedule has them.
  await Promise.all(
    all.slice(0, DETAILS_LIMIT).map(async (s, i) => {
      try {
        all[i] = { ...s, ...(await rest<Schedule>("GET", schedulePath(s))) };
      } catch {
        /* deleted meanwhile: the summary stays */
      }
    }),
  );
  return all;
}

function schedulePath(s: Schedule): string {
  return `/schedules/${encodeURIComponent(s.Name)}?${new URLSearchParams({ groupName: s.GroupName })}`;
}

async function listTargets(bus: string, rule: string): Promise<RuleTarget[]> {
  const targets: RuleTarget[] = [];
  let token: string | undefined;
  do {
    const page = await callTarget("AWSEvents.ListTargetsByRule", { Rule: rule, EventBusName: bus, ...(token ? { NextToken: token } : {}) });
    targets.push(...(page.Targets ?? []));
    token = page.NextToken;
  } while (token);
  return targets;
}

async function loadRules(bus: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let token: string | undefined;
  do {
    const page = await callTarget("AWSEvents.ListRules", { EventBusName: bus, ...(token ? { NextToken: token } : {}) });
    rules.push(...(page.Rules ?? []));
    token = page.NextToken;
  } while (token && rules.length < 10000);
  rules.sort((a, b) => a.Name.localeCompare(b.Name));
  await Promise.all(
    rules.slice(0, DETAILS_LIMIT).map(async (r) => {
      try {
        r.targets = await listTargets(bus, r.Name);
      } catch {
        /* deleted meanwhile */
      }
    }),
  );
  return rules;
}

async function deleteRule(bus: string, name: string) {
  const ids = (await listTargets(bus, name)).map((t) => t.Id);
  for (let i = 0; i < ids.length; i += 10) {
    await callTarget("AWSEvents.RemoveTargets", { Rule: name, EventBusName: bus, Ids: ids.slice(i, i + 10) });
  }
  await callTarget("AWSEvents.DeleteRule", { Name: name, EventBusName: bus });
}

async function loadDeadLetters(limit: number): Promise<{ letters: DeadLetter[]; more: boolean }> {
  const letters: DeadLetter[] = [];
  let token: string | undefined;
  do {
    const page = await callTarget("Baton.ListDeadLetters", { MaxResults: 100, ...(token ? { NextToken: token } : {}) });
    letters.push(...(page.DeadLetters ?? []));
    token = page.NextToken;
  } while (token && letters.length < limit);
  return { letters, more: !!token };
}

/** A target: a link to its state machine's page (for a version or an alias too). */
function TargetLink({ arn }: { arn: string }) {
  const m = /^(arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+)(?::(.+))?$/.exec(arn);
  if (!m) return <code title={arn}>{arn}</code>;
  return (
    <a href={href(["machines", m[1]])} title={arn}>
      {m[1].split(":").pop()}
      {m[2] && <span className="muted">:{m[2]}</span>}
    </a>
  );
}

function State({ state }: { state: string }) {
  return <span className={`status-badge s-${state.toLowerCase()}`}>{state.toLowerCase()}</span>;
}

function Empty({ columns, children }: { columns: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={columns} className="empty">
        {children}
      </td>
    </tr>
  );
}

interface Deletion {
  what: string;
  name: string;
  note?: string;
  run: () => Promise<unknown>;
  done: () => void;
}

const TABS = ["webhooks", "schedules", "rules", "dead-letters"];

export function TriggersPage({ tab }: { tab?: string }) {
  const current = tab && TABS.includes(tab) ? tab : "webhooks";
  const webhooks = useAsync(loadWebhooks, []);
  const schedules = useAsync(loadSchedules, []);
  const [bus, setBus] = useState("default");
  const [busField, setBusField] = useState("default");
  const rules = useAsync(() => loadRules(bus), [bus]);
  const [letterLimit, setLetterLimit] = useState(100);
  const letters = useAsync(() => loadDeadLetters(letterLimit), [letterLimit]);
  const [deleting, setDeleting] = useState<Deletion | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const section = { webhooks, schedules, rules, "dead-letters": letters }[current]!;
  const count = (n: number | undefined, more = false) => (n === undefined ? "" : ` (${n}${more ? "+" : ""})`);
  const failed = letters.value?.letters.length ?? 0;
  const tabs = [
    { id: "webhooks", label: `Webhooks${count(webhooks.value?.length)}` },
    { id: "schedules", label: `Schedules${count(schedules.value?.length)}` },
    { id: "rules", label: `Rules${count(rules.value?.length)}` },
    {
      id: "dead-letters",
      label: (
        <>
          Dead letters{failed > 0 && <span className="count">{`${failed}${letters.value?.more ? "+" : ""}`}</span>}
        </>
      ),
    },
  ];
  return (
    <section className="page triggers">
      <div className="page-head">
        <h1>Triggers</h1>
        <div className="actions">
          {current === "rules" && (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                setBus(busField.trim() || "default");
              }}
            >
              <label className="field inline">
                <span>Event bus</span>
                <input placeholder="default" value={busField} onChange={(e) => setBusField(e.target.value)} onBlur={() => setBus(busField.trim() || "default")} />
              </label>
            </form>
          )}
          <button onClick={section.reload}>Refresh</button>
        </div>
      </div>
      <ErrorBanner error={actionError} onClose={() => setActionError(null)} />
      <Tabs label="Triggers" tabs={tabs} current={current} onSelect={(id) => navigate(["triggers", id], undefined, true)} />
      <ErrorBanner error={section.error} />
      {current === "webhooks" && (
        <table className="table" aria-label="Webhooks">
          <thead>
            <tr>
              <th>Name</th>
              <th>Target</th>
              <th>Mode</th>
              <th>URL</th>
              <th>Check</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(webhooks.value ?? []).map((w) => (
              <tr key={w.Name}>
                <td>
                  {w.Name}
                  {w.Description && <div className="muted small">{w.Description}</div>}
                </td>
                <td>
                  <TargetLink arn={w.Target} />
                </td>
                <td>{w.Mode === "SYNC" ? "Synchronous" : "Asynchronous"}</td>
                <td>
                  <code>POST {window.location.origin + w.Url}</code>
                </td>
                <td>{w.Auth ? `${w.Auth.Type === "HMAC_SHA256" ? "HMAC-SHA256" : "Shared secret"} in ${w.Auth.Header}` : <span className="muted">none</span>}</td>
                <td className="row-actions">
                  <button
                    className="link danger"
                    aria-label={`Delete webhook ${w.Name}`}
                    onClick={() => setDeleting({ what: "webhook", name: w.Name, run: () => callTarget("Baton.DeleteWebhook", { Name: w.Name }), done: webhooks.reload })}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {webhooks.value?.length === 0 && (
              <Empty columns={6}>
                No webhooks. <code>Baton.CreateWebhook</code> or <code>[[triggers.webhooks]]</code> in the server's configuration adds one.
              </Empty>
            )}
          </tbody>
        </table>
      )}
      {current === "schedules" && (
        <table className="table" aria-label="Schedules">
          <thead>
            <tr>
              <th>Name</th>
              <th>Group</th>
              <th>Expression</th>
              <th>State</th>
              <th>Target</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(schedules.value ?? []).map((s) => (
              <tr key={s.Arn}>
                <td>
                  {s.Name}
                  {s.Description && <div className="muted small">{s.Description}</div>}
                </td>
                <td>{s.GroupName}</td>
                <td>
                  {s.ScheduleExpression ? <code>{s.ScheduleExpression}</code> : <span className="muted">—</span>}
                  {s.ScheduleExpressionTimezone && s.ScheduleExpressionTimezone !== "UTC" && <span className="muted small"> ({s.ScheduleExpressionTimezone})</span>}
                </td>
                <td>
                  <State state={s.State} />
                </td>
                <td>
                  <TargetLink arn={s.Target.Arn} />
                </td>
                <td>{formatDate(s.CreationDate)}</td>
                <td className="row-actions">
                  <button
                    className="link danger"
                    aria-label={`Delete schedule ${s.Name}`}
                    onClick={() => setDeleting({ what: "schedule", name: s.Name, run: () => rest("DELETE", schedulePath(s)), done: schedules.reload })}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {schedules.value?.length === 0 && (
              <Empty columns={7}>
                No schedules. EventBridge Scheduler's <code>CreateSchedule</code> or <code>[[triggers.schedules]]</code> in the server's configuration adds one.
              </Empty>
            )}
          </tbody>
        </table>
      )}
      {current === "schedules" && (schedules.value?.length ?? 0) > DETAILS_LIMIT && <p className="muted small">Expressions are shown for the first {DETAILS_LIMIT} schedules.</p>}
      {current === "rules" && (rules.value?.length ?? 0) > DETAILS_LIMIT && <p className="muted small">Targets are shown for the first {DETAILS_LIMIT} rules.</p>}
      {current === "rules" && (
        <table className="table" aria-label="Rules">
          <thead>
            <tr>
              <th>Name</th>
              <th>Event pattern</th>
              <th>State</th>
              <th>Targets</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(rules.value ?? []).map((r) => (
              <tr key={r.Arn}>
                <td>
                  {r.Name}
                  {r.Description && <div className="muted small">{r.Description}</div>}
                </td>
                <td className="pattern">
                  <Json text={r.EventPattern} />
                </td>
                <td>
                  <State state={r.State} />
                </td>
                <td>
                  {!r.targets && <span className="muted">—</span>}
                  {r.targets?.length === 0 && <span className="muted">none</span>}
                  <ul className="plain">
                    {r.targets?.map((t) => (
                      <li key={t.Id}>
                        <TargetLink arn={t.Arn} /> <span className="muted small">{t.Id}</span>
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="row-actions">
                  <button
                    className="link danger"
                    aria-label={`Delete rule ${r.Name}`}
                    onClick={() =>
                      setDeleting({
                        what: "rule",
                        name: r.Name,
                        note: r.targets?.length === 0 ? undefined : "Its targets are removed first.",
                        run: () => deleteRule(r.EventBusName ?? bus, r.Name),
                        done: rules.reload,
                      })
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {rules.value?.length === 0 && (
              <Empty columns={5}>
                No rules on the event bus <code>{bus}</code>. EventBridge's <code>PutRule</code> and <code>PutTargets</code> or <code>[[triggers.rules]]</code> in the server's configuration add one.
              </Empty>
            )}
          </tbody>
        </table>
      )}
      {current === "dead-letters" && (
        <>
          <p className="muted small">Starts that a schedule or a rule gave up on: the target could not be started, after retries where the error allowed them.</p>
          <table className="table" aria-label="Dead letters">
            <thead>
              <tr>
                <th>Date</th>
                <th>Trigger</th>
                <th>Target</th>
                <th>Error</th>
                <th>Attempts</th>
                <th>Input</th>
              </tr>
            </thead>
            <tbody>
              {(letters.value?.letters ?? []).map((l) => (
                <tr key={l.Id}>
                  <td>{formatDate(l.Date)}</td>
                  <td>
                    <span className="muted small">{l.TriggerType}</span> {l.TriggerName}
                  </td>
                  <td>
                    <TargetLink arn={l.Target} />
                  </td>
                  <td>
                    <strong>{l.Error}</strong>
                    {l.Cause && <div className="small">{l.Cause}</div>}
                  </td>
                  <td>{l.Attempts}</td>
                  <td>
                    <Json text={l.Input} />
                  </td>
                </tr>
              ))}
              {letters.value?.letters.length === 0 && <Empty columns={6}>No dead letters: every start of a schedule or a rule succeeded.</Empty>}
            </tbody>
          </table>
          {letters.value?.more && (
            <div className="pager">
              <button onClick={() => setLetterLimit((n) => n + 100)}>Show more</button>
            </div>
          )}
        </>
      )}
      {section.loading && !section.value && <p className="muted">Loading…</p>}
      <Dialog title={`Delete ${deleting?.what ?? ""}`} open={!!deleting} onClose={() => setDeleting(null)}>
        <p>
          Delete the {deleting?.what} <strong>{deleting?.name}</strong>? {deleting?.note}
        </p>
        <div className="dialog-actions">
          <button onClick={() => setDeleting(null)}>Cancel</button>
          <button
            className="danger"
            onClick={async () => {
              const d = deleting!;
              setDeleting(null);
              try {
                await d.run();
              } catch (e) {
                setActionError(e);
              }
              d.done();
            }}
          >
            Delete
          </button>
        </div>
      </Dialog>
    </section>
  );
}
