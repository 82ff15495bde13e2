/**
 * The overdue dashboard and the visiting KPI (page and CSV), each showing only the teams the person
 * may read: a manager or viewer sees their team, a head of service their service area.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RISK_TIERS } from '../../../domain/kinds';
import { kindLabel, tierLabel } from '../../../domain/labels';
import { durationInWords, localTime } from '../../../domain/wording';
import type { KpiRow } from '../../kpi';
import { decide, mayRead, type Person, readableTeams } from '../../identity/access';
import { type FieldErrors, type Form, ukToIsoLocal } from '../actions';
import { type ConsoleContext, queryErrors, queryValues } from '../context';
import { ConsoleHttpError } from '../errors';
import { defaultPeriod, gatherKpi, groupOverdue, kpiByTeamAndTier, kpiCsv, KpiQuery, TIER_ORDER } from '../reports';
import { CaseTable, plural, TierBadge } from '../views/bits';
import { StackedBarChart } from '../views/chart';
import { Field } from '../views/fields';
import { Notice } from '../views/layout';
import { listReadable } from './cases';
import { FreshnessNotice, readFreshness } from '../freshness';

/** 2026-03-28 → 28/03/2026, as the form shows a date. */
const ukDate = (iso: string) => iso.split('-').reverse().join('/');

const tierName = (t: string) => (t === 'UNRATED' ? 'Not rated' : tierLabel(t));

export function registerReportRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/dashboard', async (request, reply) => {
    const person = ctx.person(request);
    // Both lists as of one instant, so every overdue case is among the open ones.
    const now = new Date().toISOString();
    const [overdue, all, freshness] = await Promise.all([listReadable(ctx, person, { overdueOnly: true }, now), listReadable(ctx, person, { overdueOnly: false }, now), readFreshness(ctx.options, request.log)]);
    const groups = groupOverdue(overdue);
    const obligations = overdue.reduce((s, c) => s + c.overdueCount, 0);
    const high = overdue.filter((c) => c.tier === 'HIGH_IMMEDIATE').length;
    const series = TIER_ORDER.map((t) => ({ key: t, label: tierName(t) }));
    const teams = readableTeams(person);
    return ctx.sendPage(
      request,
      reply,
      200,
      'Overdue dashboard',
      <>
        <p class="muted">
          As at {localTime(now)}. Open cases {teams === 'all' ? 'in every team' : `in ${plural(teams.length, 'team')} (${teams.join(', ')})`} with at least one deadline that has passed and has not been met or waived.
        </p>
        <FreshnessNotice shown={freshness} />
        <div class="tiles">
          <div class={`tile${overdue.length > 0 ? ' tile-late' : ''}`}>
            <span class="big">{overdue.length}</span>
            <span>cases overdue</span>
          </div>
          <div class="tile">
            <span class="big">{all.length}</span>
            <span>open cases</span>
          </div>
          <div class={`tile${obligations > 0 ? ' tile-late' : ''}`}>
            <span class="big">{obligations}</span>
            <span>overdue obligations</span>
          </div>
          <div class={`tile${high > 0 ? ' tile-late' : ''}`}>
            <span class="big">{high}</span>
            <span>high and immediate cases overdue</span>
          </div>
        </div>
        <h2>By team and risk tier</h2>
        <StackedBarChart
          rows={groups.map((g) => ({
            label: g.team,
            segments: TIER_ORDER.map((t) => ({ key: t, label: tierName(t), value: g.byTier[t] ?? 0 })),
            note: `${plural(g.cases, 'case')} · ${g.obligations} overdue`,
          }))}
          series={series}
          title="Cases with an overdue obligation, by team and risk tier"
        />
        {/* A wide table scrolls in its own box, which keyboard users must be able to reach (WCAG 2.1.1). */}
        <div class="scroll" tabIndex={0} role="region" aria-label="Overdue cases by team and risk tier, as a table">
          <table class="data compact">
            <thead>
              <tr>
                <th>Team</th>
                {TIER_ORDER.map((t) => (
                  <th class="num">{tierName(t)}</th>
                ))}
                <th class="num">Cases</th>
                <th class="num">Obligations</th>
              </tr>
            </thead>
            <tbody>
              {groups.length > 0 ? (
                groups.map((g) => (
                  <tr>
                    <td>
                      <a href={`/?team=${encodeURIComponent(g.team)}&overdue=on`}>{g.team}</a>
                    </td>
                    {TIER_ORDER.map((t) => (
                      <td class="num">{g.byTier[t] ?? 0}</td>
                    ))}
                    <td class="num">
                      <strong>{g.cases}</strong>
                    </td>
                    <td class="num">{g.obligations}</td>
                  </tr>
                ))
              ) : (
                <tr>
                  <td colSpan={7} class="muted">
                    Nothing is overdue.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <h2>Overdue cases</h2>
        <CaseTable cases={overdue} now={now} id="overdue-cases" deadlineHeading="Earliest deadline" empty="Nothing is overdue." />
      </>,
      'dashboard',
    );
  });

  function kpiQuery(request: FastifyRequest): { query?: KpiQuery; values: Form; errors: FieldErrors } {
    const period = defaultPeriod(new Date());
    const values: Form = { from: ukDate(period.from), to: ukDate(period.to), ...queryValues(request.query) };
    const parsed = KpiQuery.safeParse({ ...values, from: ukToIsoLocal(values['from'] ?? ''), to: ukToIsoLocal(values['to'] ?? '') });
    if (parsed.success) return { query: parsed.data, values, errors: {} };
    return { values, errors: queryErrors(parsed.error.issues) };
  }

  /** The KPI rows the person may read; asking for a team they may not read is refused. */
  async function readableKpi(person: Person, query: KpiQuery) {
    if (query.team && !mayRead(person, query.team)) throw new ConsoleHttpError(403, decide(person, 'read', query.team).reason ?? 'Not allowed.');
    const result = await ctx.ask(() => gatherKpi(ctx.options.store, query, new Date()));
    const rows: KpiRow[] = result.rows.filter((r) => mayRead(person, r.team));
    return { ...result, rows };
  }

  app.get('/kpi', async (request, reply) => {
    const person = ctx.person(request);
    const { query, values, errors } = kpiQuery(request);
    const form = (
      <form method="get" action="/kpi" class="filters">
        <Field spec={{ name: 'from', label: 'From (UK date)', type: 'date', required: true }} value={values['from']} error={errors['from']} formId="k" />
        <Field spec={{ name: 'to', label: 'To (included)', type: 'date', required: true }} value={values['to']} error={errors['to']} formId="k" />
        <Field spec={{ name: 'team', label: 'Team', type: 'text' }} value={values['team']} error={errors['team']} formId="k" />
        <Field spec={{ name: 'tier', label: 'Tier', type: 'select', options: RISK_TIERS.map((t) => ({ value: t, label: tierLabel(t) })) }} value={values['tier']} error={errors['tier']} formId="k" />
        <button>Show</button>
      </form>
    );
    if (!query)
      return ctx.sendPage(
        request,
        reply,
        400,
        'Visiting KPI',
        <>
          {form}
          <Notice kind="error">Please correct the period.</Notice>
        </>,
        'kpi',
      );
    const result = await readableKpi(person, query);
    const groups = kpiByTeamAndTier(result.rows);
    const pct = (v: number) => `${Math.round(v * 100)}%`;
    const late = (ms: number | null) => (ms === null ? '–' : durationInWords(ms));
    const csvHref = `/kpi.csv?${new URLSearchParams(Object.entries({ from: query.from, to: query.to, ...(query.team ? { team: query.team } : {}), ...(query.tier ? { tier: query.tier } : {}) })).toString()}`;
    return ctx.sendPage(
      request,
      reply,
      200,
      'Visiting KPI',
      <>
        {form}
        <p class="muted">
          Visits and keeping-in-touch calls whose deadline fell in the period, from {plural(result.casesRead, 'case')}, open or closed. <strong>Overdue</strong> means the deadline has passed and the visit or call can
          still be made; <strong>missed</strong> means its chance has gone (the next one has taken its place, or the case closed).{' '}
          <a href={csvHref} download>
            Download CSV
          </a>
        </p>
        <StackedBarChart
          rows={groups.map((g) => ({
            label: g.label,
            segments: [
              { key: 'onTime', label: 'On time', value: g.onTime / g.due },
              { key: 'late', label: 'Late', value: g.late / g.due },
              { key: 'overdue', label: 'Overdue', value: g.overdue / g.due },
              { key: 'missed', label: 'Missed', value: g.missed / g.due },
            ],
            note: `${pct(g.onTime / g.due)} on time (${g.due})`,
          }))}
          series={[
            { key: 'onTime', label: 'On time' },
            { key: 'late', label: 'Late' },
            { key: 'overdue', label: 'Overdue' },
            { key: 'missed', label: 'Missed' },
          ]}
          title="Visits and keeping-in-touch calls: share on time, late, overdue and missed, by team and tier"
          max={1}
          format={pct}
        />
        <div class="scroll" tabIndex={0} role="region" aria-label="Visits and keeping-in-touch calls by team and risk tier, as a table">
          <table class="data">
            <thead>
              <tr>
                <th>Team</th>
                <th>Tier</th>
                <th>Kind</th>
                <th class="num">Due</th>
                <th class="num">On time</th>
                <th class="num">Late</th>
                <th class="num">Overdue</th>
                <th class="num">Missed</th>
                <th class="num">Waived</th>
                <th class="num">Not yet due</th>
                <th class="num">On time %</th>
                <th class="num">Median lateness</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.length > 0 ? (
                result.rows.map((row) => (
                  <tr>
                    <td class="nowrap">{row.team}</td>
                    <td>
                      <TierBadge tier={row.tier} />
                    </td>
                    <td>{kindLabel(row.kind)}</td>
                    <td class="num">{row.due}</td>
                    <td class="num">{row.onTime}</td>
                    <td class="num">{row.late}</td>
                    <td class="num">{row.overdue}</td>
                    <td class="num">{row.missed}</td>
                    <td class="num">{row.waived}</td>
                    <td class="num">{row.pending}</td>
                    <td class="num">
                      <strong>{row.onTimeRate === null ? '–' : pct(row.onTimeRate)}</strong>
                    </td>
                    <td class="num">{late(row.medianLateByMs)}</td>
                  </tr>
                ))
              ) : (
                <tr>
                  <td colSpan={12} class="muted">
                    Nothing came due in the period.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </>,
      'kpi',
    );
  });

  app.get('/kpi.csv', async (request, reply) => {
    const person = ctx.person(request);
    const { query, errors } = kpiQuery(request);
    if (!query)
      throw new ConsoleHttpError(
        400,
        `Bad period: ${Object.entries(errors)
          .map(([k, v]) => `${k} ${v}`)
          .join('; ')}`,
      );
    const result = await readableKpi(person, query);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="caseclock-kpi-${query.from}-to-${query.to}.csv"`)
      .header('cache-control', 'no-store')
      .send(kpiCsv(result.rows, query));
  });
}
