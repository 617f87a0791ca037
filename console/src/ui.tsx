// Small shared pieces: status badges, errors, loading, tabs, dialogs.
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status-badge s-${status.toLowerCase()}`}>{status.replace(/_/g, " ").toLowerCase()}</span>;
}

export function ErrorBanner({ error, onClose }: { error: unknown; onClose?: () => void }) {
  if (!error) return null;
  const e = error as { type?: string; message?: string };
  return (
    <div className="error-banner" role="alert">
      <strong>{e.type ?? "Error"}</strong> {e.message ?? String(error)}
      {onClose && (
        <button className="link" onClick={onClose} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}

/** Runs `load` when `deps` change; `reload` runs it again. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => n === seq.current && setState({ value, loading: false }),
      (error) => n === seq.current && setState((s) => ({ ...s, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

export function Tabs({ tabs, current, onSelect, label }: { tabs: { id: string; label: ReactNode }[]; current: string; onSelect: (id: string) => void; label: string }) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.id}
          role="tab"
          aria-selected={current === t.id}
          className={current === t.id ? "tab active" : "tab"}
          onClick={() => onSelect(t.id)}
          onKeyDown={(e) => {
            const i = tabs.findIndex((x) => x.id === t.id);
            if (e.key === "ArrowRight") onSelect(tabs[(i + 1) % tabs.length].id);
            if (e.key === "ArrowLeft") onSelect(tabs[(i + tabs.length - 1) % tabs.length].id);
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function Dialog({ title, open, onClose, children, wide }: { title: string; open: boolean; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current!;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className={wide ? "dialog wide" : "dialog"} onClose={onClose} aria-label={title}>
      <header>
        <h2>{title}</h2>
        <button className="link" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      {open && children}
    </dialog>
  );
}

export function Json({ text }: { text: string | undefined }) {
  if (text === undefined) return <span className="muted">—</span>;
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* shown as it is */
  }
  return <pre className="json">{pretty}</pre>;
}
