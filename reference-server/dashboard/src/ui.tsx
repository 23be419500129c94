/** Small shared pieces: notices, the confirmation dialog, time formatting, the hash router. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';

/** The current `#/route?query`, as path and parameters; re-renders on navigation. */
export function useHashRoute(): { path: string; params: URLSearchParams } {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const raw = hash.replace(/^#/, '') || '/memories';
  const q = raw.indexOf('?');
  return {
    path: q === -1 ? raw : raw.slice(0, q),
    params: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)),
  };
}

/** A readable message for a failed request. */
export function describe(err: unknown): string {
  if (err instanceof ApiFailure) return `${err.message} (${err.status} ${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

/** A status line read out by screen readers when it changes. */
export function Notice({ error, info }: { error?: string | null; info?: string | null }) {
  if (error)
    return (
      <p class="notice error" role="alert">
        {error}
      </p>
    );
  if (info)
    return (
      <p class="notice" role="status">
        {info}
      </p>
    );
  return null;
}

/** A timestamp as the person's local date and time, with the exact value for machines. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span>—</span>;
  const d = new Date(at);
  return <time dateTime={at}>{d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}</time>;
}

/** A modal confirmation (native <dialog>: focus is trapped and Escape cancels). */
export function Confirm(props: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      <div>{props.children}</div>
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class={props.danger ? 'danger' : 'primary'} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A state as a small badge. */
export function StateBadge({ state }: { state: string | undefined }) {
  const s = state ?? 'active';
  return <span class={`badge state-${s}`}>{s}</span>;
}

/**
 * A frame that scrolls a wide table sideways on narrow screens. It is a labelled region in the tab order so that
 * keyboard users can scroll it too (WCAG 2.1.1; axe rule scrollable-region-focusable).
 */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class="table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
