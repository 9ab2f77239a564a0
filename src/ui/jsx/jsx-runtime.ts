/**
 * A JSX runtime that renders straight to HTML strings on the server.
 * Every string child and attribute is escaped unless it is already a `SafeHtml`,
 * so a template cannot inject markup by mistake: raw HTML needs `raw()`.
 */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Child = SafeHtml | string | number | boolean | null | undefined | Child[];
type Props = Record<string, unknown> & { children?: Child };
type Component = (props: Props) => SafeHtml;

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function raw(html: string): SafeHtml {
  return new SafeHtml(html);
}

function renderChild(child: Child, out: string[]): void {
  if (child === null || child === undefined || child === false || child === true) return;
  if (Array.isArray(child)) {
    for (const c of child) renderChild(c, out);
  } else if (child instanceof SafeHtml) {
    out.push(child.html);
  } else {
    out.push(escapeHtml(String(child)));
  }
}

function renderAttributes(props: Props): string {
  let s = "";
  for (const [key, value] of Object.entries(props)) {
    if (key === "children" || value === undefined || value === null || value === false) continue;
    const name = key === "className" ? "class" : key === "htmlFor" ? "for" : key;
    if (value === true) {
      s += ` ${name}`;
    } else {
      s += ` ${name}="${escapeHtml(String(value))}"`;
    }
  }
  return s;
}

export function jsx(type: string | Component, props: Props): SafeHtml {
  if (typeof type === "function") return type(props);
  const out: string[] = [`<${type}${renderAttributes(props)}>`];
  if (VOID.has(type)) return new SafeHtml(out[0] ?? "");
  renderChild(props.children, out);
  out.push(`</${type}>`);
  return new SafeHtml(out.join(""));
}

export const jsxs = jsx;
export const jsxDEV = jsx;

export function Fragment(props: { children?: Child }): SafeHtml {
  const out: string[] = [];
  renderChild(props.children, out);
  return new SafeHtml(out.join(""));
}

export function render(node: Child): string {
  const out: string[] = [];
  renderChild(node, out);
  return out.join("");
}

export namespace JSX {
  export type Element = SafeHtml;
  export interface IntrinsicElements {
    [name: string]: Record<string, unknown>;
  }
  export interface ElementChildrenAttribute {
    children: unknown;
  }
}
