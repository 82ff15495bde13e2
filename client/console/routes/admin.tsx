/**
 * Administrators only: the record of views (who looked at which child's case, and when), and the
 * local protocols still in force past their review date.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { localTime } from '../../../domain/wording';
import { SafeId, UserId } from '../../../domain/facts';
import { ROLE_LABEL, decide } from '../../identity/access';
import type { Role } from '../../identity/auth';
import { type ConsoleContext, queryErrors, queryValues } from '../context';
import { ConsoleHttpError } from '../errors';
import { peopleShown } from '../../identity/people';
import { configuredSnapshot, londonToday, protocolsPastReview } from '../policies';
import { Field } from '../views/fields';
import { Notice } from '../views/layout';
import { LocalDate } from '../views/policy';

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
    // People who sign in through single sign-on are shown by name, never as a password account.
    const shown = await peopleShown(
      ctx.options.consoleStore,
      views.map((v) => v.viewer),
    );
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
                  <td>{shown(v.viewer)}</td>
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

  app.get('/admin/protocols', async (request, reply) => {
    const person = ctx.person(request);
    const verdict = decide(person, 'administer');
    if (!verdict.allowed) throw new ConsoleHttpError(403, 'Only an administrator may see which local protocols are past their review date.');
    const due = protocolsPastReview(londonToday(), configuredSnapshot(ctx.options.configuredPolicy));
    return ctx.sendPage(
      request,
      reply,
      200,
      'Local protocols past their review date',
      <>
        <p class="muted">
          Local protocols (policy overlays) with no end date whose review date has passed, so they stay in force until someone ends them, in every policy version this console knows (the policy library and the configured
          policy file). A case that counts under one of them says so to administrators on its own page. To end a protocol, give it an end date in a new policy version and apply that version to its cases: the clocks it
          switched off are then owed again (docs/policy.md).
        </p>
        <table class="data" id="protocol-reviews">
          <thead>
            <tr>
              <th>Policy</th>
              <th>Local protocol</th>
              <th>In force from</th>
              <th>Review date</th>
            </tr>
          </thead>
          <tbody>
            {due.length > 0 ? (
              due.map((d) => (
                <tr id={`review-${d.policy.id}@${d.policy.version}-${d.overlay.id}`}>
                  <td>
                    {d.policy.id}@{d.policy.version}
                    <br />
                    <span class="small muted">
                      {d.policy.name}
                      {d.source === 'configured' ? ' (the configured policy file)' : ''}
                    </span>
                  </td>
                  <td>{d.overlay.name}</td>
                  <td class="nowrap">
                    <LocalDate date={d.overlay.startDate} />
                  </td>
                  <td class="nowrap late">
                    <LocalDate date={d.overlay.reviewDate ?? ''} />
                  </td>
                </tr>
              ))
            ) : (
              <tr>
                <td colSpan={4} class="muted">
                  No local protocol is past its review date.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </>,
      'protocols',
    );
  });
}
