/**
 * Server-rendered HTML for the web console: the page layout, form fields, and the inline SVG bar
 * charts. Everything that came from outside passes through `esc` (escapeHtml); no inline script
 * or style (the Content-Security-Policy allows only the console's own /static files).
 */
import { escapeHtml } from '../../activities/render-message';
import type { ConsoleUser } from './auth';

/** Escapes text for HTML content and attribute values. */
export const esc = (s: string | number | undefined | null): string => escapeHtml(s === undefined || s === null ? '' : String(s));

/** A piece of HTML already escaped: the only way markup gets into a page. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolated values are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(String(v));
}

export const raw = (s: string): Html => new Html(s);

export interface PageContext {
  user?: ConsoleUser;
  csrf?: string;
  /** Which navigation item is current. */
  nav?: 'cases' | 'dashboard' | 'kpi' | 'open' | 'incident';
}

const ROLE_LABEL: Record<string, string> = { administrator: 'Administrator', manager: 'Manager', viewer: 'Viewer (read only)' };

export function page(title: string, body: Html, ctx: PageContext = {}): string {
  const { user, csrf, nav } = ctx;
  const item = (key: PageContext['nav'], href: string, label: string) =>
    html`<a href="${href}"${key === nav ? raw(' aria-current="page"') : ''}>${label}</a>`;
  const header = user
    ? html`<nav class="top">${item('cases', '/', 'Cases')}${item('dashboard', '/dashboard', 'Overdue dashboard')}${item('kpi', '/kpi', 'Visiting KPI')}${
        user.role !== 'viewer' ? html`${item('open', '/cases/new', 'Open a case')}${item('incident', '/incidents/new', 'Serious incident')}` : ''
      }</nav>
      <div class="who"><span>${user.name} · <span class="muted">${user.id}</span> · ${ROLE_LABEL[user.role] ?? user.role}${
        user.team ? html` · team ${user.team}` : ''
      }</span><form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="${csrf ?? ''}"><button class="link">Sign out</button></form></div>`
    : html``;
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · CaseClock</title>
<link rel="stylesheet" href="/static/console.css"><script src="/static/console.js" defer></script></head>
<body><header class="bar"><a class="brand" href="/">CaseClock</a>${header.value}</header>
<main><h1>${esc(title)}</h1>${body.value}</main>
<footer>Times are UK local time (Europe/London). Every change is recorded on the case with who made it.</footer>
</body></html>`;
}

// --- form fields ----------------------------------------------------------------------------

export interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'textarea' | 'select' | 'datetime' | 'email' | 'hidden' | 'date';
  options?: ReadonlyArray<string | { value: string; label: string }>;
  required?: boolean;
  help?: string;
  /** Suggestions for a text field (meeting ids, hold ids, ...). */
  suggestions?: readonly string[];
  placeholder?: string;
}

export function field(spec: FieldSpec, value: string | undefined, error: string | undefined, formId: string): Html {
  const id = `${formId}-${spec.name}`;
  const v = value ?? '';
  const invalid = error ? raw(' aria-invalid="true"') : '';
  const required = spec.required ? raw(' required') : '';
  const described = error || spec.help ? raw(` aria-describedby="${esc(id)}-note"`) : '';
  if (spec.type === 'hidden') return html`<input type="hidden" name="${spec.name}" value="${v}">`;
  let control: Html;
  switch (spec.type) {
    case 'textarea':
      control = html`<textarea id="${id}" name="${spec.name}" rows="2" maxlength="2000"${required}${invalid}${described}>${v}</textarea>`;
      break;
    case 'select': {
      const opts = (spec.options ?? []).map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
      control = html`<select id="${id}" name="${spec.name}"${required}${invalid}${described}>${spec.required ? '' : html`<option value="">—</option>`}${opts.map(
        (o) => html`<option value="${o.value}"${o.value === v ? raw(' selected') : ''}>${o.label}</option>`,
      )}</select>`;
      break;
    }
    case 'datetime':
      control = html`<input id="${id}" type="datetime-local" name="${spec.name}" value="${v}"${required}${invalid}${described}>`;
      break;
    case 'date':
      control = html`<input id="${id}" type="date" name="${spec.name}" value="${v}"${required}${invalid}${described}>`;
      break;
    default: {
      const list = spec.suggestions && spec.suggestions.length > 0 ? `${id}-list` : undefined;
      control = html`<input id="${id}" type="${spec.type}" name="${spec.name}" value="${v}"${spec.placeholder ? raw(` placeholder="${esc(spec.placeholder)}"`) : ''}${
        list ? raw(` list="${esc(list)}"`) : ''
      }${required}${invalid}${described}>${list ? html`<datalist id="${list}">${(spec.suggestions ?? []).map((s) => html`<option value="${s}">`)}</datalist>` : ''}`;
    }
  }
  const note = error
    ? html`<span class="error" id="${id}-note">${spec.label}: ${error}</span>`
    : spec.help
      ? html`<span class="help" id="${id}-note">${spec.help}</span>`
      : '';
  return html`<label class="field${error ? ' has-error' : ''}" for="${id}"><span class="label">${spec.label}${spec.required ? '' : html` <span class="muted">(optional)</span>`}</span>${control}${note}</label>`;
}

// --- charts ---------------------------------------------------------------------------------

export interface BarSegment {
  key: string;
  label: string;
  value: number;
}

export interface BarRow {
  label: string;
  segments: BarSegment[];
  /** Shown at the end of the bar (default: the total). */
  note?: string;
}

/** Colours for series keys: tiers and KPI outcomes (colour-blind-safe, with a legend and a table). */
export const SERIES_COLOURS: Record<string, string> = {
  HIGH_IMMEDIATE: '#b3261e',
  PRIORITY: '#d97706',
  VULNERABLE: '#2563eb',
  UNRATED: '#6b7280',
  onTime: '#15803d',
  late: '#d97706',
  missed: '#b3261e',
};

/**
 * A horizontal stacked bar chart, inline SVG: one row per label, segments in series order, a
 * legend, and a <title> per segment for the exact numbers. `max` fixes the scale (e.g. 1 for shares).
 */
export function stackedBarChart(
  rows: readonly BarRow[],
  series: ReadonlyArray<{ key: string; label: string }>,
  options: { title: string; max?: number; format?: (v: number) => string; unit?: string } = { title: '' },
): Html {
  const labelWidth = Math.min(360, Math.max(140, 28 + 8.6 * Math.max(0, ...rows.map((r) => r.label.length))));
  const barWidth = 560;
  const noteWidth = 130;
  const rowHeight = 30;
  const top = 34;
  const width = labelWidth + barWidth + noteWidth;
  const height = top + Math.max(1, rows.length) * rowHeight + 28;
  const total = (r: BarRow) => r.segments.reduce((s, x) => s + x.value, 0);
  // Counts get a whole-number scale with four equal steps (0, 1, 2, 3, 4 for a largest bar of 3).
  const step = Math.max(1, Math.ceil(Math.max(1, ...rows.map(total)) / 4));
  const max = options.max ?? step * 4;
  const fmt = options.format ?? ((v: number) => String(v));
  const scale = (v: number) => (v / max) * barWidth;

  let legendX = labelWidth;
  const legend = series.map((s) => {
    const x = legendX;
    legendX += 34 + s.label.length * 7;
    return html`<g><rect x="${x}" y="8" width="14" height="14" rx="2" fill="${SERIES_COLOURS[s.key] ?? '#888'}"></rect><text x="${x + 20}" y="20" class="legend">${s.label}</text></g>`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const x = labelWidth + f * barWidth;
    const value = options.max === 1 ? `${Math.round(f * 100)}%` : String(Math.round(max * f));
    return html`<g><line x1="${x}" x2="${x}" y1="${top - 4}" y2="${height - 24}" class="grid"></line><text x="${x}" y="${height - 8}" class="tick" text-anchor="middle">${value}</text></g>`;
  });
  const bars = rows.map((r, i) => {
    const y = top + i * rowHeight;
    let x = labelWidth;
    const segs = series.map((s) => {
      const seg = r.segments.find((g) => g.key === s.key);
      if (!seg || seg.value <= 0) return html``;
      const w = scale(seg.value);
      const out = html`<rect x="${x.toFixed(1)}" y="${y + 5}" width="${Math.max(1, w).toFixed(1)}" height="${rowHeight - 10}" fill="${SERIES_COLOURS[s.key] ?? '#888'}"><title>${r.label}: ${seg.label} ${fmt(seg.value)}</title></rect>`;
      x += w;
      return out;
    });
    return html`<g class="row"><text x="${labelWidth - 10}" y="${y + rowHeight / 2 + 5}" text-anchor="end" class="rowlabel">${r.label}</text>${segs}<text x="${x + 8}" y="${y + rowHeight / 2 + 5}" class="value">${r.note ?? fmt(total(r))}</text></g>`;
  });
  const empty = rows.length === 0 ? html`<text x="${labelWidth + 10}" y="${top + 20}" class="tick">Nothing to show</text>` : '';
  return html`<figure class="chart"><svg role="img" aria-label="${options.title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${options.title}</title>${ticks}${legend}${bars}${empty}</svg></figure>`;
}
