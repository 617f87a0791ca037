// CodeMirror 6 editors: the ASL editor (JSON or YAML, highlighting, completion of state
// names and fields, diagnostics at their locations) and a small JSON input editor.
import { useEffect, useRef } from "react";
import { EditorView, basicSetup } from "codemirror";
import { Compartment, EditorState } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { yaml } from "@codemirror/lang-yaml";
import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { linter, lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import YAML, { isMap, isScalar, isSeq, type Node as YamlNode } from "yaml";
import type { Diagnostic } from "./api";
import type { Format } from "./asl";

const FIELDS = [
  "Type", "Next", "End", "Comment", "QueryLanguage", "InputPath", "OutputPath", "ResultPath", "Parameters",
  "ResultSelector", "Result", "Arguments", "Output", "Assign", "Resource", "TimeoutSeconds", "TimeoutSecondsPath",
  "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "ErrorEquals", "IntervalSeconds", "MaxAttempts",
  "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Choices", "Default", "Variable", "Condition", "And", "Or", "Not",
  "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Branches", "StartAt", "States", "ItemProcessor",
  "ProcessorConfig", "Mode", "ExecutionType", "ItemsPath", "Items", "ItemSelector", "ItemReader", "ItemBatcher",
  "ResultWriter", "MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount", "Label", "Error", "Cause",
  "ErrorPath", "CausePath", "Credentials", "Version",
  "StringEquals", "StringEqualsPath", "NumericEquals", "NumericLessThan", "NumericGreaterThan", "BooleanEquals",
  "IsPresent", "IsNull", "StringMatches", "TimestampLessThan", "TimestampGreaterThan",
];
const TYPES = ["Task", "Pass", "Choice", "Wait", "Parallel", "Map", "Succeed", "Fail"];

/** Completion: state names after Next/Default/StartAt, types after Type, field names. */
function aslCompletion(names: () => string[], format: Format) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    const valueRe =
      format === "json" ? /"(Next|Default|StartAt|Type)"\s*:\s*"([^"]*)$/ : /(Next|Default|StartAt|Type):\s*["']?([^"']*)$/;
    const value = before.match(valueRe);
    if (value) {
      const options = (value[1] === "Type" ? TYPES : names()).map((n) => ({ label: n, type: value[1] === "Type" ? "enum" : "variable" }));
      return { from: ctx.pos - value[2].length, options, validFor: /^[^"]*$/ };
    }
    const keyRe = format === "json" ? /(?:^|[{,])\s*"([A-Za-z]*)$/ : /^\s*(?:- )?([A-Za-z]*)$/;
    const key = before.match(keyRe);
    if (key && (ctx.explicit || key[1].length > 0)) {
      return { from: ctx.pos - key[1].length, options: FIELDS.map((f) => ({ label: f, type: "property" })), validFor: /^[A-Za-z]*$/ };
    }
    return null;
  };
}

/** The text range of a JSON pointer in a JSON or YAML text (YAML parses both). */
export function locate(text: string, pointer: string | undefined): { from: number; to: number } | undefined {
  if (pointer === undefined || !pointer.startsWith("/")) return undefined;
  let doc;
  try {
    doc = YAML.parseDocument(text, { keepSourceTokens: false });
  } catch {
    return undefined;
  }
  let node: YamlNode | null | undefined = doc.contents as YamlNode;
  let keyRange: [number, number, number] | undefined;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (!pair) break;
      keyRange = isScalar(pair.key) ? pair.key.range ?? undefined : undefined;
      node = pair.value as YamlNode;
    } else if (isSeq(node)) {
      node = node.items[Number(key)] as YamlNode;
      keyRange = undefined;
    } else break;
  }
  // A state or an object: its key; a scalar: the value.
  const range = node && isScalar(node) ? node.range : keyRange ?? node?.range;
  if (!range) return undefined;
  return { from: range[0], to: Math.max(range[0] + 1, Math.min(range[1], range[0] + 2000)) };
}

export interface AslEditorProps {
  text: string;
  format: Format;
  onChange: (text: string) => void;
  diagnostics: Diagnostic[];
  stateNames: string[];
  parseError?: string;
}

/** The Code tab's editor. The text given wins when it differs from what the editor has. */
export function AslEditor({ text, format, onChange, diagnostics, stateNames, parseError }: AslEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const live = useRef({ onChange, diagnostics, stateNames, parseError });
  live.current = { onChange, diagnostics, stateNames, parseError };

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: text,
        extensions: [
          basicSetup,
          keymap.of([indentWithTab]),
          language.current.of(format === "json" ? json() : yaml()),
          autocompletion({ override: [aslCompletion(() => live.current.stateNames, format)] }),
          lintGutter(),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) live.current.onChange(u.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ "aria-label": "State machine definition" }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is made once per format.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [format]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== text) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    }
  }, [text]);

  // Baton's diagnostics, placed at their locations in the text.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc.toString();
    const out: CmDiagnostic[] = diagnostics.map((d) => {
      const at = locate(doc, d.location) ?? { from: 0, to: Math.min(doc.length, 1) };
      return { from: at.from, to: Math.min(at.to, doc.length), severity: d.severity === "ERROR" ? "error" : "warning", message: `${d.code}: ${d.message}`, source: "Baton" };
    });
    v.dispatch(setDiagnostics(v.state, out));
  }, [diagnostics, format]);

  return <div className="code-editor" ref={host} data-testid="asl-editor" />;
}

/** A small JSON editor (execution input). */
export function JsonEditor({ value, onChange, label, minHeight = 160 }: { value: string; onChange: (v: string) => void; label: string; minHeight?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const live = useRef(onChange);
  live.current = onChange;
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          json(),
          linter((view) => {
            try {
              JSON.parse(view.state.doc.toString());
              return [];
            } catch (e) {
              return [{ from: 0, to: Math.min(1, view.state.doc.length), severity: "error", message: String((e as Error).message) }];
            }
          }),
          EditorView.updateListener.of((u) => u.docChanged && live.current(u.state.doc.toString())),
          EditorView.contentAttributes.of({ "aria-label": label }),
        ],
      }),
    });
    return () => v.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return <div className="json-editor" style={{ minHeight }} ref={host} />;
}
