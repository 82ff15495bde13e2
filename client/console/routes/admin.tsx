/** The record of views: who looked at which child's case, and when. Administrators only. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { localTime } from '../../../activities/render-message';
import { SafeId, UserId } from '../../../domain/facts';
import { ROLE_LABEL, decide } from '../access';
import type { Role } from '../auth';
import type { ConsoleContext } from '../app';
import { ConsoleHttpError } from '../errors';
import { Field } from '../views/fields';
import { Notice } from '../views/layout';
import { queryErrors, queryValues } from './cases';

/** How a case was viewed, in words. */
const VIEW_HOW: Record<string, string> = { page: 'its page', api: 'the API', feed: 'a calendar feed' };

const ViewsQuery = z.object({ caseId: SafeId.optional(), viewer: UserId.optional() });

export function registerAdminRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/admin/views', async (request, reply) => {
    const person = ctx.person(request);
    const verdict = decide(person, 'administer');
    if (!verdict.allowed) throw new ConsoleHttpError(403, 'Only an administrator may see who viewed which case.');
    const values = queryValues(request.query);
    const parsed = ViewsQuery.safeParse(values);
    const errors = parsed.success ? {} : queryErrors(parsed.error.issues);
    const views = parsed.success ? await ctx.options.consoleStore.views({ ...parsed.data, limit: 500 }) : [];
    request.log.info({ user: person.id, filter: parsed.success ? parsed.data : undefined }, 'record of views read');
    return ctx.sendPage(
      request,
      reply,
      parsed.success ? 200 : 400,
      'Who viewed what',
      <>
        <p class="muted">Every time someone opens a case or incident page (or a calendar feed shows a case), CaseClock records who, which and when. Newest first, at most 500.</p>
        <form method="get" action="/admin/views" class="filters">
          <Field spec={{ name: 'caseId', label: 'Case or incident', type: 'text' }} value={values['caseId']} error={errors['caseId']} formId="v" />
          <Field spec={{ name: 'viewer', label: 'Viewed by (user id)', type: 'text' }} value={values['viewer']} error={errors['viewer']} formId="v" />
          <button>Show</button>{' '}
          <a href="/admin/views" class="muted">
            clear
          </a>
        </form>
        {!parsed.success && <Notice kind="error">Please correct the filter.</Notice>}
        <table class="data" id="views">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Role</th>
              <th>Case or incident</th>
              <th>How</th>
            </tr>
          </thead>
          <tbody>
            {views.length > 0 ? (
              views.map((v) => (
                <tr>
                  <td class="nowrap">{localTime(v.viewedAt)}</td>
                  <td>{v.viewer}</td>
                  <td>{ROLE_LABEL[v.role as Role] ?? v.role}</td>
                  <td>
                    <a href={`/${v.subject === 'case' ? 'cases' : 'incidents'}/${encodeURIComponent(v.caseId)}`}>{v.caseId}</a>
                  </td>
                  <td>{VIEW_HOW[v.what] ?? v.what}</td>
                </tr>
              ))
            ) : (
              <tr>
                <td colSpan={5} class="muted">
                  No views recorded{parsed.success && (parsed.data.caseId || parsed.data.viewer) ? ' for this filter' : ''}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </>,
      'views',
    );
  });
}
