// End-to-end tests of the console in a real browser: playwright-core driving Chromium
// against a running `baton serve`.
//
//   BATON_URL=http://127.0.0.1:8083 node e2e/console.e2e.mjs
//
// CHROMIUM: the browser (default /usr/bin/chromium). SCREENSHOTS: a directory to save
// screenshots of the main screens in (docs/img in the repository).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const BASE = (process.env.BATON_URL ?? "http://127.0.0.1:8083").replace(/\/$/, "");
const SHOTS = process.env.SCREENSHOTS;
const ROLE = "arn:aws:iam::123456789012:role/e2e";
const RUN = Date.now().toString(36);

async function api(action, body) {
  const r = await fetch(`${BASE}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": `AWSStepFunctions.${action}` },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${action}: ${JSON.stringify(json)}`);
  return json;
}

/** An action of the JSON 1.1 APIs beside Step Functions': `Baton.CreateWebhook`, `AWSEvents.PutRule`. */
async function target(name, body) {
  const r = await fetch(`${BASE}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": name },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(json)}`);
  return json;
}

/** EventBridge Scheduler's REST routes. */
async function scheduler(method, path, body) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Waits until the graph shows `name` with `status`. */
async function stateStatus(page, name, status, timeout = 15000) {
  await page.locator(`.react-flow__node [data-state="${name}"][data-status="${status}"]`).first().waitFor({ timeout });
}

async function dragPalette(page, type, target) {
  const item = page.getByTestId(`palette-${type}`);
  if (typeof target === "string") {
    await item.dragTo(page.locator(`.react-flow__node [data-state="${target}"]`).first());
  } else {
    await item.dragTo(page.locator(".react-flow__pane"), { targetPosition: target });
  }
}

async function codeText(page) {
  await page.locator(".cm-content").first().waitFor();
  return page.evaluate(() =>
    [...document.querySelectorAll(".code-editor .cm-line")].map((l) => l.textContent).join("\n"),
  );
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test("design a state machine by dragging states, see it in Code, save it, run it green", async (page) => {
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/console\//);
  await page.getByRole("heading", { name: "State machines" }).waitFor();
  await page.getByRole("button", { name: "Create state machine" }).click();
  await page.getByRole("button", { name: /^Blank/ }).click();
  await page.getByTestId("palette-Pass").waitFor();

  // Drag states: the first onto the empty graph, the others onto the state they follow.
  await dragPalette(page, "Pass", { x: 300, y: 150 });
  await page.locator('.react-flow__node [data-state="Pass"]').waitFor();
  await dragPalette(page, "Wait", "Pass");
  await page.locator('.react-flow__node [data-state="Wait"]').waitFor();
  await dragPalette(page, "Succeed", "Wait");
  await page.locator('.react-flow__node [data-state="Succeed"]').waitFor();

  // Rename the Pass state in the form: the transition follows.
  await page.locator('.react-flow__node [data-state="Pass"]').click();
  const nameField = page.locator(".inspector").getByLabel("Name");
  await nameField.fill("Greet");
  await nameField.press("Enter");
  await page.locator('.react-flow__node [data-state="Greet"]').waitFor();

  // Undo and redo the rename.
  await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
  await page.getByRole("button", { name: "Undo" }).click();
  await page.locator('.react-flow__node [data-state="Pass"]').waitFor();
  await page.getByRole("button", { name: "Redo" }).click();
  await page.locator('.react-flow__node [data-state="Greet"]').waitFor();

  await page.getByLabel("State machine name").fill(`designed-${RUN}`);
  await page.getByRole("button", { name: "Set name" }).click();
  await page.locator('.react-flow__node [data-state="Wait"]').click();
  await page.locator(".inspector").getByLabel("Seconds").waitFor();
  await shot(page, "design");

  // The Code tab shows the same definition.
  await page.getByRole("tab", { name: /Code/ }).click();
  const def = JSON.parse(await codeText(page));
  assert(def.StartAt === "Greet", `StartAt is ${def.StartAt}`);
  assert(JSON.stringify(Object.keys(def.States)) === JSON.stringify(["Greet", "Wait", "Succeed"]), `states: ${Object.keys(def.States)}`);
  assert(def.States.Greet.Type === "Pass" && def.States.Greet.Next === "Wait", `Greet: ${JSON.stringify(def.States.Greet)}`);
  assert(def.States.Wait.Type === "Wait" && def.States.Wait.Next === "Succeed", `Wait: ${JSON.stringify(def.States.Wait)}`);
  assert(def.States.Succeed.Type === "Succeed", `Succeed: ${JSON.stringify(def.States.Succeed)}`);
  await page.getByText("Valid definition").waitFor();
  await shot(page, "code");

  // Save (create); then an edit saved through UpdateStateMachine, publishing a version.
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL(/stateMachine/);
  await page.getByRole("tab", { name: "Design" }).click();
  await page.locator('.react-flow__node [data-state="Wait"]').click();
  const waitName = page.locator(".inspector").getByLabel("Name");
  await waitName.fill("Pause");
  await waitName.press("Enter");
  await page.locator('.react-flow__node [data-state="Pause"]').waitFor();
  // A longer wait in the form, to see the execution run.
  const seconds = page.locator(".inspector").getByLabel("Seconds");
  await seconds.fill("3");
  await seconds.press("Enter");
  await page.getByLabel("Publish a version").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved and published version 1").waitFor();
  assert(!(await page.getByLabel("Publish a version").isChecked()), "publish is unticked after a save");
  await page.getByRole("tab", { name: "Config" }).click();
  await page.getByText("Version 1").first().waitFor();
  await shot(page, "config");

  // Start an execution of version 1, watch the states turn green.
  await page.getByRole("button", { name: "Start execution" }).click();
  await page.getByRole("dialog").getByLabel("Run").selectOption({ label: "Version 1" });
  await page.getByRole("dialog").getByRole("button", { name: "Start" }).click();
  await page.waitForURL(/#\/executions\//);
  // Live: the Wait runs, then everything is green.
  await stateStatus(page, "Pause", "running");
  await stateStatus(page, "Greet", "succeeded");
  await stateStatus(page, "Pause", "succeeded");
  await stateStatus(page, "Succeed", "succeeded");
  await page.locator(".status-badge.s-succeeded").first().waitFor();
  await page.locator('.react-flow__node [data-state="Greet"]').click();
  await page.locator(".state-details").getByText("Input").first().waitFor();
  await shot(page, "execution");
  await page.getByRole("tab", { name: "Timeline" }).click();
  await page.locator(".timeline .bar").first().waitFor();
  await shot(page, "timeline");
});

test("connect, delete and add from the keyboard in the Design tab", async (page) => {
  await page.goto(`${BASE}/console/#/machines/new/design?template=hello`);
  const node = (name) => page.locator(`.react-flow__node:has([data-state="${name}"])`);
  await node("Pause").waitFor();
  // Add a Fail state from the keyboard, with nothing selected: it stands alone.
  await page.getByTestId("palette-Fail").focus();
  await page.keyboard.press("Enter");
  await node("Fail").waitFor();
  await page.locator(".react-flow__pane").click({ position: { x: 10, y: 10 } });
  // Draw a transition from Greet's bottom handle to Fail's top handle: Greet now goes there.
  const from = await node("Greet").locator(".react-flow__handle-bottom").boundingBox();
  const to = await node("Fail").locator(".react-flow__handle-top").boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();
  await page.waitForFunction(() => !!document.querySelector('.react-flow__edge[data-id$="Greet->next"]'));
  // Select Pause with the keyboard and delete it.
  await node("Pause").focus();
  await page.keyboard.press("Enter");
  await page.locator(".inspector h3", { hasText: "Wait state" }).waitFor();
  await page.keyboard.press("Delete");
  await node("Pause").waitFor({ state: "detached" });
  await page.getByRole("tab", { name: /Code/ }).click();
  const def = JSON.parse(await codeText(page));
  assert(def.States.Greet.Next === "Fail", `Greet: ${JSON.stringify(def.States.Greet)}`);
  assert(!("Pause" in def.States), "Pause is gone");
  assert(def.States.Fail.Type === "Fail", "a Fail state");
});

test("a Code edit shows in Design, a validation problem shows on its node", async (page) => {
  await page.goto(`${BASE}/console/#/machines/new/code?template=hello`);
  await page.locator(".cm-content").waitFor();
  await page.getByText("Valid definition").waitFor();
  // Point Greet at a state that does not exist.
  const text = await codeText(page);
  const broken = text.replace('"Next": "Pause"', '"Next": "Nowhere"');
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(broken);
  await page.locator(".problems").getByText(/Nowhere/).first().waitFor();
  await page.locator(".cm-lint-marker-error").first().waitFor();
  await page.getByRole("tab", { name: /Design/ }).click();
  await page.locator('.react-flow__node [data-state="Greet"]').waitFor();
  await page.locator(".has-problems").first().waitFor();
  // The same model in YAML.
  await page.getByRole("tab", { name: /Code/ }).click();
  await page.getByRole("tab", { name: "YAML" }).click();
  const yaml = await codeText(page);
  assert(/^StartAt: Greet$/m.test(yaml) && /Next: Nowhere/.test(yaml), `YAML: ${yaml}`);
  // Completion of state names after Next.
  await page.getByRole("tab", { name: "JSON" }).click();
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText('{"StartAt": "Greet", "States": {"Greet": {"Type": "Pass", "Next": "Pa');
  await page.keyboard.press("Control+Space");
  await page.locator(".cm-tooltip-autocomplete").getByText("Pause").waitFor();
});

test("Map iterations and Parallel branches are browsable", async (page) => {
  const def = {
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
          StartAt: "Check item",
          States: {
            "Check item": { Type: "Choice", Choices: [{ Variable: "$", NumericEquals: 2, Next: "Odd one" }], Default: "Double" },
            Double: { Type: "Pass", End: true },
            "Odd one": { Type: "Pass", End: true },
          },
        },
        End: true,
      },
      Recover: { Type: "Pass", End: true },
    },
  };
  const machine = await api("CreateStateMachine", { name: `fan-out-${RUN}`, roleArn: ROLE, definition: JSON.stringify(def) });
  const { executionArn } = await api("StartExecution", { stateMachineArn: machine.stateMachineArn, input: "{}" });
  await page.goto(`${BASE}/console/#/executions/${encodeURIComponent(executionArn)}`);
  await stateStatus(page, "Right", "succeeded");
  await stateStatus(page, "Double", "succeeded");
  await stateStatus(page, "Recover", "notreached");
  // Iteration 1 (the item 2) went the other way.
  await page.locator(".iterations select").selectOption("1");
  await stateStatus(page, "Odd one", "succeeded");
  await stateStatus(page, "Double", "notreached");
  await page.locator(".iterations select").selectOption("0");
  await stateStatus(page, "Double", "succeeded");
  await stateStatus(page, "Odd one", "notreached");
  await page.locator('.react-flow__node [data-state="Double"]').click();
  await page.locator(".state-details").getByText("Input").first().waitFor();
  await shot(page, "map-parallel");
});

test("a Map Run shows its progress and takes new limits while it runs", async (page) => {
  const def = {
    StartAt: "Fan",
    States: {
      Fan: {
        Type: "Map",
        MaxConcurrency: 1,
        ItemBatcher: { MaxItemsPerBatch: 2 },
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "Nap",
          States: { Nap: { Type: "Wait", Seconds: 1, End: true } },
        },
        End: true,
      },
    },
  };
  const machine = await api("CreateStateMachine", { name: `map-run-${RUN}`, roleArn: ROLE, definition: JSON.stringify(def) });
  const { executionArn } = await api("StartExecution", {
    stateMachineArn: machine.stateMachineArn,
    input: JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  });
  await page.goto(`${BASE}/console/#/executions/${encodeURIComponent(executionArn)}`);
  const run = page.locator(".map-run");
  await run.getByRole("progressbar").waitFor();
  await run.getByText(/of 12 items/).waitFor();
  // Six batches of two, one at a time: still running when the limit goes up.
  await run.getByLabel("Max concurrency").fill("6");
  await run.getByRole("button", { name: "Update map run" }).click();
  await run.getByText("updated").waitFor();
  const { maxConcurrency } = await api("DescribeMapRun", {
    mapRunArn: (await api("ListMapRuns", { executionArn })).mapRuns[0].mapRunArn,
  });
  assert(maxConcurrency === 6, `maxConcurrency after the update: ${maxConcurrency}`);
  await run.getByText("12 of 12 items (100%)").waitFor({ timeout: 15000 });
  await run.locator(".s-succeeded").first().waitFor({ timeout: 15000 });
  const counts = await run.locator("table.counts").innerText();
  assert(/Child executions\s+6\s+0\s+0\s+6/.test(counts), `counts: ${counts}`);
  await shot(page, "map-run");
});

test("a failed execution shows the failed state and its error", async (page) => {
  const machine = await api("CreateStateMachine", {
    name: `failing-${RUN}`,
    roleArn: ROLE,
    definition: JSON.stringify({
      StartAt: "Prepare",
      States: {
        Prepare: { Type: "Pass", Next: "Check" },
        Check: { Type: "Choice", Choices: [{ Variable: "$.ok", BooleanEquals: true, Next: "Fine" }], Default: "Broken" },
        Fine: { Type: "Succeed" },
        Broken: { Type: "Fail", Error: "NotOk", Cause: "The input's ok was not true" },
      },
    }),
  });
  const { executionArn } = await api("StartExecution", { stateMachineArn: machine.stateMachineArn, input: '{"ok": false}' });
  await page.goto(`${BASE}/console/#/executions/${encodeURIComponent(executionArn)}`);
  await stateStatus(page, "Broken", "failed");
  await stateStatus(page, "Prepare", "succeeded");
  await stateStatus(page, "Fine", "notreached");
  await page.locator('.react-flow__node [data-state="Broken"]').click();
  const error = await page.getByTestId("state-error").textContent();
  assert(error === "NotOk", `the state's error is ${error}`);
  await page.getByText("The input's ok was not true").first().waitFor();
  assert((await page.getByTestId("execution-error").textContent()) === "NotOk", "the execution's error");
  await shot(page, "failed-execution");
  // Redrive: it runs again from the failed state (and fails again).
  await page.getByRole("button", { name: "Redrive" }).click();
  await page.locator(".summary").getByText("Redrives").waitFor();
  await stateStatus(page, "Broken", "failed");
  await page.getByRole("tab", { name: "Events" }).click();
  await page.getByRole("button", { name: "Details of event 1", exact: true }).click();
  await page.locator(".event-details").first().waitFor();
  await shot(page, "events");
});

test("a 200-state definition lays out and renders quickly", async (page) => {
  const States = {};
  for (let i = 0; i < 200; i++) {
    const next = i + 1 < 200 ? `S${i + 1}` : undefined;
    States[`S${i}`] =
      i % 20 === 10
        ? { Type: "Choice", Choices: [{ Variable: "$.x", NumericEquals: i, Next: `S${Math.min(i + 5, 199)}` }], Default: next }
        : next
          ? { Type: i % 7 === 3 ? "Wait" : "Pass", ...(i % 7 === 3 ? { Seconds: 1 } : {}), Next: next }
          : { Type: "Succeed" };
  }
  const machine = await api("CreateStateMachine", { name: `big-${RUN}`, roleArn: ROLE, definition: JSON.stringify({ StartAt: "S0", States }) });
  const started = Date.now();
  await page.goto(`${BASE}/console/#/machines/${encodeURIComponent(machine.stateMachineArn)}/design`);
  await page.waitForFunction(() => window.batonGraph && window.batonGraph.states === 200, null, { timeout: 30000 });
  const wall = Date.now() - started;
  const { ms, layoutMs } = await page.evaluate(() => window.batonGraph);
  console.log(`# 200 states: layout and render ${Math.round(ms)} ms in the page (layout ${Math.round(layoutMs)} ms); ${wall} ms from navigation`);
  assert(ms < 5000, `laying out 200 states took ${ms} ms`);
});

test("an execution with 10,000 history events opens without freezing the page", async (page) => {
  const machine = await api("CreateStateMachine", {
    name: `many-${RUN}`,
    roleArn: ROLE,
    definition: JSON.stringify({
      StartAt: "Each",
      States: {
        Each: { Type: "Map", ItemsPath: "$.items", MaxConcurrency: 0, ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "One", States: { One: { Type: "Pass", End: true } } }, ResultPath: null, End: true },
      },
    }),
  });
  // 2,500 iterations of four events each.
  const items = Array.from({ length: 2500 }, (_, i) => i);
  const { executionArn } = await api("StartExecution", { stateMachineArn: machine.stateMachineArn, input: JSON.stringify({ items }) });
  for (let i = 0; i < 120; i++) {
    const d = await api("DescribeExecution", { executionArn });
    if (d.status !== "RUNNING") break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const started = Date.now();
  await page.goto(`${BASE}/console/#/executions/${encodeURIComponent(executionArn)}?tab=events`);
  await page.getByText(/Page 1 of \d+ · [1-9]\d* events/).first().waitFor({ timeout: 30000 });
  const label = await page.getByText(/Page 1 of \d+ · [1-9]\d* events/).first().textContent();
  const total = Number(label.match(/· (\d+) events/)[1]);
  const opened = Date.now() - started;
  // The page answers at once: the last page, then the graph.
  const t0 = Date.now();
  await page.getByRole("button", { name: "Last page" }).first().click();
  await page.getByText(new RegExp(`Page ${Math.ceil(total / 100)} of`)).first().waitFor();
  const paged = Date.now() - t0;
  await page.getByRole("tab", { name: "Graph" }).click();
  await stateStatus(page, "One", "succeeded");
  console.log(`# ${total} events: opened in ${opened} ms, last page in ${paged} ms`);
  assert(total >= 10000, `only ${total} events`);
  assert(paged < 5000, `paging took ${paged} ms`);
});

test("activities list their open tasks", async (page) => {
  const { activityArn } = await api("CreateActivity", { name: `work-${RUN}` });
  const machine = await api("CreateStateMachine", {
    name: `with-activity-${RUN}`,
    roleArn: ROLE,
    definition: JSON.stringify({ StartAt: "Work", States: { Work: { Type: "Task", Resource: activityArn, TimeoutSeconds: 300, End: true } } }),
  });
  const { executionArn } = await api("StartExecution", { stateMachineArn: machine.stateMachineArn, input: '{"job": 1}' });
  await page.goto(`${BASE}/console/#/activities/${encodeURIComponent(activityArn)}`);
  await page.getByText("waiting for a worker").first().waitFor({ timeout: 15000 });
  await shot(page, "activities");
  // The running execution: its state is running, and Stop stops it.
  await page.goto(`${BASE}/console/#/executions/${encodeURIComponent(executionArn)}`);
  await stateStatus(page, "Work", "running");
  await page.getByRole("button", { name: "Stop" }).click();
  await stateStatus(page, "Work", "cancelled");
  await page.locator(".status-badge.s-aborted").first().waitFor();
});

test("a task's retries and its caught error", async (page) => {
  const { activityArn } = await api("CreateActivity", { name: `flaky-${RUN}` });
  const machine = await api("CreateStateMachine", {
    name: `retrying-${RUN}`,
    roleArn: ROLE,
    definition: JSON.stringify({
      StartAt: "Work",
      States: {
        Work: {
          Type: "Task",
          Resource: activityArn,
          Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Handle" }],
          Next: "Done",
        },
        Handle: { Type: "Pass", End: true },
        Done: { Type: "Succeed" },
      },
    }),
  });
  const { executionArn } = await api("StartExecution", { stateMachineArn: machine.stateMachineArn, input: "{}" });
  await page.goto(`${BASE}/console/#/executions/${encodeURIComponent(executionArn)}`);
  // A worker fails the task twice: retried once, then caught.
  for (const attempt of [1, 2]) {
    const task = await api("GetActivityTask", { activityArn, workerName: "e2e" });
    assert(task.taskToken, `attempt ${attempt}: no task`);
    await api("SendTaskFailure", { taskToken: task.taskToken, error: "Flaky", cause: `attempt ${attempt}` });
  }
  await stateStatus(page, "Work", "caught");
  await stateStatus(page, "Handle", "succeeded");
  await stateStatus(page, "Done", "notreached");
  await page.locator('.react-flow__node [data-state="Work"]').click();
  assert((await page.getByTestId("state-error").textContent()) === "Flaky", "the caught error");
  await page.locator(".kv dt", { hasText: "Retries" }).locator("xpath=following-sibling::dd[1]").filter({ hasText: /^1$/ }).waitFor();
});

test("an Express state machine runs synchronously; logging set in Config", async (page) => {
  const machine = await api("CreateStateMachine", {
    name: `express-${RUN}`,
    type: "EXPRESS",
    roleArn: ROLE,
    definition: JSON.stringify({ StartAt: "Echo", States: { Echo: { Type: "Pass", Parameters: { "echo.$": "$.ok" }, End: true } } }),
  });
  await page.goto(`${BASE}/console/#/machines/${encodeURIComponent(machine.stateMachineArn)}/executions`);
  await page.getByText("not listed by the API").waitFor();
  await page.getByRole("button", { name: "Start execution" }).first().click();
  await page.getByRole("dialog").getByRole("button", { name: "Start" }).click();
  await page.locator(".executions .status-badge.s-succeeded").waitFor();
  await page.getByText('"echo": true').waitFor();
  await page.getByRole("tab", { name: "Config" }).click();
  await page.locator(".config-tab select").nth(1).selectOption("ALL");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved", { exact: true }).first().waitFor();
  const d = await api("DescribeStateMachine", { stateMachineArn: machine.stateMachineArn });
  assert(d.loggingConfiguration.level === "ALL", `logging: ${JSON.stringify(d.loggingConfiguration)}`);
});

test("triggers: each section says when it is empty", async (page) => {
  // On a new server there are none yet; a bus of this run's own has no rules in any case.
  const none = {
    Webhooks: (await target("Baton.ListWebhooks", {})).Webhooks.length === 0,
    Schedules: (await scheduler("GET", "/schedules")).Schedules.length === 0,
    Rules: (await target("AWSEvents.ListRules", {})).Rules.length === 0,
    "Dead letters": (await target("Baton.ListDeadLetters", {})).DeadLetters.length === 0,
  };
  const empty = { Webhooks: "No webhooks.", Schedules: "No schedules.", Rules: "No rules on the event bus default.", "Dead letters": "No dead letters" };
  await page.goto(`${BASE}/console/#/triggers`);
  for (const [tab, text] of Object.entries(empty)) {
    await page.getByRole("tab", { name: new RegExp(`^${tab}`) }).click();
    const table = page.getByRole("table", { name: tab });
    await table.waitFor();
    if (none[tab]) await table.locator(".empty", { hasText: text }).waitFor();
  }
  await page.getByRole("tab", { name: /^Rules/ }).click();
  await page.getByLabel("Event bus").fill(`empty-${RUN}`);
  await page.getByLabel("Event bus").press("Enter");
  await page.getByRole("table", { name: "Rules" }).locator(".empty", { hasText: `No rules on the event bus empty-${RUN}.` }).waitFor();
  // An unknown section shows the webhooks.
  await page.goto(`${BASE}/console/#/triggers/nothing`);
  await page.getByRole("table", { name: "Webhooks" }).waitFor();
  assert((await page.getByRole("tab", { name: /^Webhooks/ }).getAttribute("aria-selected")) === "true", "Webhooks is selected");
});

test("triggers: webhooks, schedules, rules and dead letters are listed, and deleted", async (page) => {
  const machine = await api("CreateStateMachine", {
    name: `triggered-${RUN}`,
    roleArn: ROLE,
    definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Pass", End: true } } }),
  });
  const arn = machine.stateMachineArn;
  const missing = arn.replace(/:stateMachine:.*$/, `:stateMachine:missing-${RUN}`);
  await target("Baton.CreateWebhook", { Name: `hook-${RUN}`, Target: arn });
  await target("Baton.CreateWebhook", {
    Name: `signed-${RUN}`,
    Target: arn,
    Auth: { Type: "HMAC_SHA256", Header: "X-Signature", Secret: "s3cret", Prefix: "sha256=" },
  });
  await scheduler("POST", `/schedules/nightly-${RUN}`, {
    ScheduleExpression: "rate(1 day)",
    FlexibleTimeWindow: { Mode: "OFF" },
    Target: { Arn: arn, RoleArn: "arn:aws:iam::123456789012:role/r" },
  });
  await scheduler("POST", `/schedules/grouped-${RUN}`, {
    GroupName: `group-${RUN}`,
    ScheduleExpression: "cron(0 9 * * ? *)",
    ScheduleExpressionTimezone: "Europe/Paris",
    FlexibleTimeWindow: { Mode: "OFF" },
    Target: { Arn: `${arn}:1`, RoleArn: "arn:aws:iam::123456789012:role/r" },
  });
  const source = `e2e.${RUN}`;
  await target("AWSEvents.PutRule", { Name: `orders-${RUN}`, EventPattern: JSON.stringify({ source: [source], "detail-type": ["Order"] }) });
  await target("AWSEvents.PutTargets", { Rule: `orders-${RUN}`, Targets: [{ Id: "machine", Arn: arn }] });
  // A rule whose target does not exist: an event it matches becomes a dead letter.
  await target("AWSEvents.PutRule", { Name: `broken-${RUN}`, EventPattern: JSON.stringify({ source: [source], "detail-type": ["Broken"] }) });
  await target("AWSEvents.PutTargets", { Rule: `broken-${RUN}`, Targets: [{ Id: "gone", Arn: missing }] });
  await target("AWSEvents.PutEvents", { Entries: [{ Source: source, DetailType: "Broken", Detail: '{"n": 1}' }] });

  // The navigation leads to the page; webhooks first, their targets link to the machine.
  await page.goto(`${BASE}/console/`);
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Triggers" }).click();
  await page.getByRole("heading", { name: "Triggers" }).waitFor();
  const table = (name) => page.getByRole("table", { name });
  const row = (name, text) => table(name).locator("tbody tr", { hasText: text });
  await row("Webhooks", `hook-${RUN}`).waitFor();
  await row("Webhooks", `hook-${RUN}`).getByText(`/hooks/hook-${RUN}`).waitFor();
  await row("Webhooks", `signed-${RUN}`).getByText("HMAC-SHA256 in X-Signature").waitFor();
  assert(!(await page.getByText("s3cret").count()), "the secret is not shown");
  const link = row("Webhooks", `hook-${RUN}`).getByRole("link", { name: `triggered-${RUN}` });
  assert((await link.getAttribute("href")) === `#/machines/${encodeURIComponent(arn)}`, `link: ${await link.getAttribute("href")}`);

  // Schedules: expressions, time zones, groups; a version target links to the machine.
  await page.getByRole("tab", { name: /Schedules/ }).click();
  await page.waitForURL(/#\/triggers\/schedules$/);
  await row("Schedules", `nightly-${RUN}`).getByText("rate(1 day)").waitFor();
  await row("Schedules", `nightly-${RUN}`).getByText("enabled").waitFor();
  await row("Schedules", `grouped-${RUN}`).getByText("cron(0 9 * * ? *)").waitFor();
  await row("Schedules", `grouped-${RUN}`).getByText("Europe/Paris").waitFor();
  await row("Schedules", `grouped-${RUN}`).getByText(`group-${RUN}`).waitFor();
  await row("Schedules", `grouped-${RUN}`).getByRole("link", { name: `triggered-${RUN}:1` }).waitFor();

  // Rules: the pattern and the targets.
  await page.getByRole("tab", { name: /Rules/ }).click();
  await row("Rules", `orders-${RUN}`).getByText(`"${source}"`).waitFor();
  await row("Rules", `orders-${RUN}`).getByRole("link", { name: `triggered-${RUN}` }).waitFor();
  await row("Rules", `broken-${RUN}`).getByText("gone").waitFor();
  // Another bus has none.
  await page.getByLabel("Event bus").fill(`elsewhere-${RUN}`);
  await page.getByLabel("Event bus").press("Enter");
  await table("Rules").getByText(`No rules on the event bus elsewhere-${RUN}`).waitFor();
  await page.getByLabel("Event bus").fill("default");
  await page.getByLabel("Event bus").press("Enter");
  await row("Rules", `orders-${RUN}`).waitFor();

  // Dead letters: the broken rule's start.
  await page.getByRole("tab", { name: /Dead letters/ }).click();
  const letter = row("Dead letters", `default/broken-${RUN}`);
  await letter.getByText("StateMachineDoesNotExist").waitFor();
  await letter.getByText('"n": 1').waitFor();

  // Delete a rule with targets, a schedule in a group and a webhook: each goes from its list.
  const remove = async (tab, tableName, name) => {
    await page.getByRole("tab", { name: tab }).click();
    await row(tableName, name).getByRole("button", { name: /^Delete/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
    await row(tableName, name).waitFor({ state: "detached" });
  };
  await remove(/Rules/, "Rules", `orders-${RUN}`);
  await row("Rules", `broken-${RUN}`).waitFor();
  await remove(/Schedules/, "Schedules", `grouped-${RUN}`);
  await row("Schedules", `nightly-${RUN}`).waitFor();
  await remove(/Webhooks/, "Webhooks", `hook-${RUN}`);
  await row("Webhooks", `signed-${RUN}`).waitFor();
  // As the API says.
  const rules = (await target("AWSEvents.ListRules", {})).Rules.map((r) => r.Name);
  assert(!rules.includes(`orders-${RUN}`) && rules.includes(`broken-${RUN}`), `rules: ${rules}`);
  const schedules = (await scheduler("GET", "/schedules")).Schedules.map((s) => s.Name);
  assert(!schedules.includes(`grouped-${RUN}`) && schedules.includes(`nightly-${RUN}`), `schedules: ${schedules}`);
  const hooks = (await target("Baton.ListWebhooks", {})).Webhooks.map((w) => w.Name);
  assert(!hooks.includes(`hook-${RUN}`) && hooks.includes(`signed-${RUN}`), `webhooks: ${hooks}`);

  // A schedule deleted meanwhile: the error of its delete shows, and the list is current.
  await page.getByRole("tab", { name: /Schedules/ }).click();
  await scheduler("DELETE", `/schedules/nightly-${RUN}`);
  await row("Schedules", `nightly-${RUN}`).getByRole("button", { name: /^Delete/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: "ResourceNotFoundException" }).waitFor();
  await row("Schedules", `nightly-${RUN}`).waitFor({ state: "detached" });

  // The link from a target opens the state machine.
  await page.getByRole("tab", { name: /Webhooks/ }).click();
  await row("Webhooks", `signed-${RUN}`).getByRole("link", { name: `triggered-${RUN}` }).click();
  await page.waitForURL(/#\/machines\//);
  await page.getByRole("heading", { name: `triggered-${RUN}` }).waitFor();
});

test("the list shows the state machines and their recent executions", async (page) => {
  await page.goto(`${BASE}/console/`);
  await page.getByRole("link", { name: `designed-${RUN}` }).waitFor();
  await page.locator(".recent .status-badge").first().waitFor();
  await shot(page, "state-machines");
});

// ---- Runner.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
let passed = 0;
let failed = 0;
const only = process.env.ONLY;
for (const { name, fn } of tests) {
  if (only && !name.includes(only)) continue;
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const t0 = Date.now();
  try {
    await fn(page);
    assert(errors.length === 0, `errors in the page: ${errors.join("; ")}`);
    passed++;
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name} (${Date.now() - t0} ms)\n  ${String(e.stack ?? e).split("\n").join("\n  ")}`);
    if (SHOTS || process.env.FAILURE_SHOTS) {
      const dir = process.env.FAILURE_SHOTS ?? SHOTS;
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `failure-${tests.findIndex((t) => t.name === name)}.png`) }).catch(() => {});
    }
  }
  await context.close();
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
