/**
 * A horizontal stacked bar chart as inline SVG: one row per label, segments in series order, a
 * legend, and a <title> per segment for the exact numbers (every chart also has a table beside it).
 */
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
  overdue: '#7c3aed',
};

export function StackedBarChart(props: {
  rows: readonly BarRow[];
  series: ReadonlyArray<{ key: string; label: string }>;
  title: string;
  /** Fixes the scale (e.g. 1 for shares). */
  max?: number;
  format?: (v: number) => string;
}) {
  const { rows, series, title } = props;
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
  const max = props.max ?? step * 4;
  const fmt = props.format ?? ((v: number) => String(v));
  const scale = (v: number) => (v / max) * barWidth;
  let legendX = labelWidth;
  const legend = series.map((s) => {
    const x = legendX;
    legendX += 34 + s.label.length * 7;
    return (
      <g>
        <rect x={x} y={8} width={14} height={14} rx={2} fill={SERIES_COLOURS[s.key] ?? '#888'} />
        <text x={x + 20} y={20} class="legend">
          {s.label}
        </text>
      </g>
    );
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const x = labelWidth + f * barWidth;
    return (
      <g>
        <line x1={x} x2={x} y1={top - 4} y2={height - 24} class="grid" />
        <text x={x} y={height - 8} class="tick" text-anchor="middle">
          {props.max === 1 ? `${Math.round(f * 100)}%` : String(Math.round(max * f))}
        </text>
      </g>
    );
  });
  const bars = rows.map((r, i) => {
    const y = top + i * rowHeight;
    let x = labelWidth;
    const segs = series.map((s) => {
      const seg = r.segments.find((g) => g.key === s.key);
      if (!seg || seg.value <= 0) return null;
      const w = scale(seg.value);
      const out = (
        <rect x={x.toFixed(1)} y={y + 5} width={Math.max(1, w).toFixed(1)} height={rowHeight - 10} fill={SERIES_COLOURS[s.key] ?? '#888'}>
          <title>{`${r.label}: ${seg.label} ${fmt(seg.value)}`}</title>
        </rect>
      );
      x += w;
      return out;
    });
    return (
      <g class="row">
        <text x={labelWidth - 10} y={y + rowHeight / 2 + 5} text-anchor="end" class="rowlabel">
          {r.label}
        </text>
        {segs}
        <text x={x + 8} y={y + rowHeight / 2 + 5} class="value">
          {r.note ?? fmt(total(r))}
        </text>
      </g>
    );
  });
  return (
    <figure class="chart">
      <svg class="chart-wide" role="img" aria-label={title} viewBox={`0 0 ${width} ${height}`} width={width} height={height} xmlns="http://www.w3.org/2000/svg">
        <title>{title}</title>
        {ticks}
        {legend}
        {bars}
        {rows.length === 0 && (
          <text x={labelWidth + 10} y={top + 20} class="tick">
            Nothing to show
          </text>
        )}
      </svg>
      <NarrowChart rows={rows} series={series} title={title} max={max} fmt={fmt} />
    </figure>
  );
}

/**
 * The same chart for a phone (console.css shows one or the other): 320 units wide, so its text
 * stays at the size it is written when the chart fills a narrow screen; the legend wraps, each
 * row's label and total sit above its bar.
 */
function NarrowChart(props: { rows: readonly BarRow[]; series: ReadonlyArray<{ key: string; label: string }>; title: string; max: number; fmt: (v: number) => string }) {
  const { rows, series, title, max, fmt } = props;
  const width = 320;
  const pad = 4;
  const barWidth = width - 2 * pad;
  const legendRows: Array<Array<{ key: string; label: string; x: number }>> = [[]];
  let x = pad;
  for (const s of series) {
    const w = 26 + s.label.length * 7;
    if (x + w > width && x > pad) {
      legendRows.push([]);
      x = pad;
    }
    legendRows[legendRows.length - 1]!.push({ ...s, x });
    x += w;
  }
  const top = legendRows.length * 20 + 10;
  const rowHeight = 46;
  const height = top + Math.max(1, rows.length) * rowHeight + 20;
  const scale = (v: number) => (v / max) * barWidth;
  const total = (r: BarRow) => r.segments.reduce((sum, g) => sum + g.value, 0);
  return (
    <svg class="chart-narrow" role="img" aria-label={title} viewBox={`0 0 ${width} ${height}`} xmlns="http://www.w3.org/2000/svg">
      <title>{title}</title>
      {legendRows.map((line, i) =>
        line.map((s) => (
          <g>
            <rect x={s.x} y={4 + i * 20} width={12} height={12} rx={2} fill={SERIES_COLOURS[s.key] ?? '#888'} />
            <text x={s.x + 17} y={15 + i * 20} class="legend">
              {s.label}
            </text>
          </g>
        )),
      )}
      {[0, 0.5, 1].map((f) => (
        <g>
          <line x1={pad + f * barWidth} x2={pad + f * barWidth} y1={top} y2={height - 18} class="grid" />
          <text x={pad + f * barWidth} y={height - 4} class="tick" text-anchor={f === 0 ? 'start' : f === 1 ? 'end' : 'middle'}>
            {max === 1 ? `${Math.round(f * 100)}%` : String(Math.round(max * f))}
          </text>
        </g>
      ))}
      {rows.map((r, i) => {
        const y = top + i * rowHeight;
        let at = pad;
        return (
          <g class="row">
            <text x={pad} y={y + 14} class="rowlabel">
              {r.label}
            </text>
            <text x={width - pad} y={y + 14} class="value" text-anchor="end">
              {r.note ?? fmt(total(r))}
            </text>
            {series.map((s) => {
              const seg = r.segments.find((g) => g.key === s.key);
              if (!seg || seg.value <= 0) return null;
              const w = scale(seg.value);
              const out = (
                <rect x={at.toFixed(1)} y={y + 20} width={Math.max(1, w).toFixed(1)} height={18} fill={SERIES_COLOURS[s.key] ?? '#888'}>
                  <title>{`${r.label}: ${seg.label} ${fmt(seg.value)}`}</title>
                </rect>
              );
              at += w;
              return out;
            })}
          </g>
        );
      })}
      {rows.length === 0 && (
        <text x={pad} y={top + 20} class="tick">
          Nothing to show
        </text>
      )}
    </svg>
  );
}
