/** A tiny DOM builder: text always goes in as text (textContent), never as HTML. */
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A labelled input: the label's `for` names the input, so screen readers announce it. */
export function field(
  label: string,
  input: Attrs & { id: string },
  hint?: string,
): { row: HTMLElement; input: HTMLInputElement } {
  const el = h('input', { ...input, ...(hint ? { 'aria-describedby': `${input.id}-hint` } : {}) });
  const row = h(
    'div',
    { class: 'field' },
    h('label', { for: input.id }, label),
    el,
    hint ? h('small', { id: `${input.id}-hint` }, hint) : null,
  );
  return { row, input: el };
}

export function replace(container: Element, ...children: Child[]): void {
  container.replaceChildren(...children.filter((c): c is Node | string => !!c));
}

/** The payload of a JWT, for display only (the service verifies tokens; the page never trusts them). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json) as Record<string, unknown>;
}

export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.ceil(total));
  if (s < 120) return `${s} s`;
  const m = Math.ceil(s / 60);
  return m < 120 ? `${m} min` : `${Math.ceil(m / 60)} h`;
}
