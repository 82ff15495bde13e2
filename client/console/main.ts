/**
 * The web console, read side: what is overdue across cases, and each case's obligations and
 * timeline in local time. It calls the same client functions as the command line.
 */
import http from 'node:http';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { escapeHtml, lateness, localTime } from '../../activities/render-message';
import { RiskTier } from '../../domain/kinds';
import { SafeId } from '../../domain/facts';
import { CaseActionError, caseState, caseTimeline, listCases } from '../cases';
import { loadConfigOrExit } from '../config';
import { connectClient } from '../temporal';

const ListFilter = z.object({
  team: SafeId.optional().or(z.literal('').transform(() => undefined)),
  tier: RiskTier.optional().or(z.literal('').transform(() => undefined)),
  overdue: z.enum(['on', '1', 'true']).optional(),
});

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · CaseClock</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}.overdue{color:#b00020;font-weight:600}</style></head>
<body><header><a href="/">CaseClock</a></header><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function createConsoleServer(client: Client): http.Server {
  return http.createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    const url = new URL(req.url ?? '/', 'http://console.local');
    const handle = async () => {
      if (url.pathname === '/healthz') return send(200, 'text/plain', 'ok');
      if (url.pathname === '/' || url.pathname === '/api/cases') {
        const filter = ListFilter.safeParse(Object.fromEntries(url.searchParams));
        if (!filter.success) return send(400, 'text/plain', `bad filter: ${filter.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        const { team, tier, overdue } = filter.data;
        const cases = await listCases(client, { ...(team ? { team } : {}), ...(tier ? { tier } : {}), overdueOnly: overdue !== undefined });
        if (url.pathname === '/api/cases') return send(200, 'application/json', JSON.stringify(cases));
        const rows = cases
          .map(
            (c) =>
              `<tr><td><a href="/cases/${encodeURIComponent(c.caseId)}">${escapeHtml(c.caseId)}</a></td><td>${escapeHtml(c.team ?? '')}</td><td>${escapeHtml(c.tier ?? '')}</td><td class="${c.overdueCount > 0 ? 'overdue' : ''}">${c.overdueCount}</td><td>${c.nextDueAt ? escapeHtml(localTime(c.nextDueAt)) : ''}</td></tr>`,
          )
          .join('');
        return send(
          200,
          'text/html',
          page(
            'Cases',
            `<form><label>Team <input name="team" value="${escapeHtml(team ?? '')}"></label> <label>Tier <select name="tier"><option value="">any</option>${RiskTier.options.map((t) => `<option${t === tier ? ' selected' : ''}>${t}</option>`).join('')}</select></label> <label><input type="checkbox" name="overdue"${overdue ? ' checked' : ''}> overdue only</label> <button>Filter</button></form>
<table><thead><tr><th>Case</th><th>Team</th><th>Tier</th><th>Overdue</th><th>Next due</th></tr></thead><tbody>${rows || '<tr><td colspan="5">No cases</td></tr>'}</tbody></table>`,
          ),
        );
      }
      const match = /^\/cases\/([^/]+)$/.exec(url.pathname);
      if (match) {
        const id = SafeId.safeParse(decodeURIComponent(match[1] ?? ''));
        if (!id.success) return send(400, 'text/plain', 'bad case id');
        const [state, timeline] = await Promise.all([caseState(client, id.data), caseTimeline(client, id.data)]);
        const now = new Date().toISOString();
        const obligations = state.open
          .map(
            (o) =>
              `<tr><td>${escapeHtml(o.title)}</td><td>${escapeHtml(localTime(o.dueAt))}</td><td class="${o.dueAt < now ? 'overdue' : ''}">${o.dueAt < now ? escapeHtml(lateness(o.dueAt, now)) + ' late' : ''}</td><td>${o.escalationLevel || ''}</td></tr>`,
          )
          .join('');
        const entries = timeline
          .map((t) => `<tr><td>${escapeHtml(localTime(t.at))}</td><td>${escapeHtml(t.summary)}</td><td>${escapeHtml(t.by)}</td></tr>`)
          .join('');
        return send(
          200,
          'text/html',
          page(
            `Case ${state.details.reference}`,
            `<p>Team ${escapeHtml(state.details.team)} · tier ${escapeHtml(state.tier ?? 'not rated')} · ${escapeHtml(state.status)} · policy ${escapeHtml(state.policyVersion)}</p>
${state.warnings.length > 0 ? `<h2 class="overdue">Needs attention</h2><ul>${state.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : ''}
${state.undeliverable.length > 0 ? `<h2 class="overdue">Messages that could not be delivered</h2><ul>${state.undeliverable.map((d) => `<li>${escapeHtml(`${d.type} to ${d.role}: ${d.reason ?? ''}`)}</li>`).join('')}</ul>` : ''}
<h2>Open obligations</h2><table><thead><tr><th>Obligation</th><th>Due</th><th>Late</th><th>Escalation</th></tr></thead><tbody>${obligations || '<tr><td colspan="4">None open</td></tr>'}</tbody></table>
<h2>Timeline</h2><table><tbody>${entries}</tbody></table>`,
          ),
        );
      }
      return send(404, 'text/plain', 'not found');
    };
    handle().catch((err: unknown) => {
      if (err instanceof CaseActionError) return send(404, 'text/plain', err.message);
      process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'console request failed', path: url.pathname, error: err instanceof Error ? err.message : String(err) })}\n`);
      send(500, 'text/plain', 'CaseClock could not answer: see the console log');
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const { client, close } = await connectClient(config);
  const server = createConsoleServer(client);
  server.listen(config.CONSOLE_PORT, () => {
    process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'console listening', url: config.CONSOLE_PUBLIC_URL })}\n`);
  });
  const stop = () => {
    server.close(() => void close().then(() => process.exit(0)));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`console failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
