// Baton's public API on this origin: the Step Functions JSON 1.0 protocol at POST /, the
// JSON 1.1 actions of EventBridge and Baton's own beside it, EventBridge Scheduler's routes.

export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A request to Baton on this origin; AWS's error shapes become an ApiError. */
async function request<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError("NetworkError", `Baton is not reachable: ${String(e)}`, 0);
  }
  const text = await response.text();
  let json: any = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError("BadResponse", text.slice(0, 200), response.status);
  }
  if (!response.ok) {
    // JSON protocols: {"__type", "message"}; REST-JSON: x-amzn-ErrorType and {"Message"}.
    const code = json.__type ?? response.headers.get("x-amzn-errortype")?.split(":")[0] ?? "Error";
    const type = String(code).split("#").pop()!;
    throw new ApiError(type, json.message ?? json.Message ?? text, response.status);
  }
  return json as T;
}

/** A Step Functions action (JSON 1.0). */
export async function call<T = any>(action: string, body: object = {}): Promise<T> {
  return request<T>("/", {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": `AWSStepFunctions.${action}` },
    body: JSON.stringify(body),
  });
}

/** An action of the JSON 1.1 APIs beside it: `AWSEvents.ListRules`, `Baton.ListWebhooks`. */
export async function callTarget<T = any>(target: string, body: object = {}): Promise<T> {
  return request<T>("/", {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target },
    body: JSON.stringify(body),
  });
}

/** A REST-JSON request (EventBridge Scheduler's `/schedules` routes). */
export async function rest<T = any>(method: "GET" | "DELETE", path: string): Promise<T> {
  return request<T>(path, { method });
}

/** Every page of a paged list action, up to `limit` items. */
export async function listAll<T>(
  action: string,
  body: object,
  key: string,
  limit = 10000,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const page: any = await call(action, { ...body, ...(nextToken ? { nextToken } : {}) });
    items.push(...(page[key] ?? []));
    nextToken = page.nextToken;
  } while (nextToken && items.length < limit);
  return items;
}

export interface StateMachineListItem {
  stateMachineArn: string;
  name: string;
  type: "STANDARD" | "EXPRESS";
  creationDate: number;
}

export interface StateMachine {
  stateMachineArn: string;
  name: string;
  status: string;
  definition: string;
  roleArn: string;
  type: "STANDARD" | "EXPRESS";
  creationDate: number;
  revisionId?: string;
  description?: string;
  loggingConfiguration?: { level: string; includeExecutionData: boolean; destinations?: unknown[] };
  tracingConfiguration?: { enabled: boolean };
}

export type ExecutionStatus =
  | "RUNNING"
  | "SUCCEEDED"
  | "FAILED"
  | "TIMED_OUT"
  | "ABORTED"
  | "PENDING_REDRIVE";

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  redriveCount?: number;
}

export interface Execution extends ExecutionListItem {
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveStatus?: string;
  redriveStatusReason?: string;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
}

export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: any;
}

export interface Diagnostic {
  severity: "ERROR" | "WARNING";
  code: string;
  message: string;
  location?: string;
}

export const DEFAULT_ROLE = "arn:aws:iam::123456789012:role/baton-console";

export function formatDate(seconds: number | undefined): string {
  if (seconds === undefined) return "";
  const d = new Date(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The last part of an ARN: a name, or name:version. */
export function arnName(arn: string): string {
  const parts = arn.split(":");
  const i = parts.findIndex((p) => p === "stateMachine" || p === "execution" || p === "activity");
  return i >= 0 ? parts.slice(i + 1).join(":") : arn;
}
