// The one model behind Design, Code and Config: the definition, its text, and the
// history for undo and redo.
import { useCallback, useReducer } from "react";
import { parse, print, type Definition, type Format } from "./asl";

export interface ModelState {
  def: Definition;
  text: string;
  format: Format;
  /** The text does not parse: `def` is the last one that did. */
  parseError?: string;
  past: Definition[];
  future: Definition[];
  lastTextEdit: number;
}

type Action =
  | { kind: "reset"; def: Definition; format?: Format }
  | { kind: "edit"; def: Definition }
  | { kind: "text"; text: string; at: number }
  | { kind: "format"; format: Format }
  | { kind: "undo" }
  | { kind: "redo" };

const LIMIT = 200;

function reduce(s: ModelState, a: Action): ModelState {
  switch (a.kind) {
    case "reset":
      return { def: a.def, text: print(a.def, a.format ?? s.format), format: a.format ?? s.format, past: [], future: [], lastTextEdit: 0 };
    case "edit":
      if (a.def === s.def) return s;
      return { ...s, def: a.def, text: print(a.def, s.format), parseError: undefined, past: [...s.past, s.def].slice(-LIMIT), future: [], lastTextEdit: 0 };
    case "text": {
      if (a.text === s.text) return s;
      try {
        const def = parse(a.text, s.format);
        // Typing makes one undo step per pause of a second.
        const past = a.at - s.lastTextEdit > 1000 ? [...s.past, s.def].slice(-LIMIT) : s.past;
        return { ...s, def, text: a.text, parseError: undefined, past, future: [], lastTextEdit: a.at };
      } catch (e) {
        return { ...s, text: a.text, parseError: (e as Error).message };
      }
    }
    case "format":
      return { ...s, format: a.format, text: print(s.def, a.format), parseError: undefined };
    case "undo": {
      const prev = s.past[s.past.length - 1];
      if (!prev) return s;
      return { ...s, def: prev, text: print(prev, s.format), parseError: undefined, past: s.past.slice(0, -1), future: [s.def, ...s.future], lastTextEdit: 0 };
    }
    case "redo": {
      const next = s.future[0];
      if (!next) return s;
      return { ...s, def: next, text: print(next, s.format), parseError: undefined, past: [...s.past, s.def], future: s.future.slice(1), lastTextEdit: 0 };
    }
  }
}

export function useModel(initial: Definition) {
  const [state, dispatch] = useReducer(reduce, undefined, () => ({
    def: initial,
    text: print(initial, "json"),
    format: "json" as Format,
    past: [],
    future: [],
    lastTextEdit: 0,
  }));
  return {
    state,
    reset: useCallback((def: Definition) => dispatch({ kind: "reset", def }), []),
    edit: useCallback((def: Definition) => dispatch({ kind: "edit", def }), []),
    editText: useCallback((text: string) => dispatch({ kind: "text", text, at: Date.now() }), []),
    setFormat: useCallback((format: Format) => dispatch({ kind: "format", format }), []),
    undo: useCallback(() => dispatch({ kind: "undo" }), []),
    redo: useCallback(() => dispatch({ kind: "redo" }), []),
  };
}
