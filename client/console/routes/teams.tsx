/**
 * The team directory (`/admin/teams`), administrators only: the council's teams with their service
 * area, manager and head of service, added and changed with a form, and taken out. Once it lists any
 * team, cases, incidents and imported rows in a team not in it are refused (common/teams.ts);
 * while it lists none, every team is accepted, and the page says so (docs/teams.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { localTime } from '../../../domain/wording';
import { TeamDirectoryInvalid, type Team, type TeamDirectory } from '../../../store/team-directory';
import type { FieldErrors, FieldSpec } from '../../actions/fields';
import { mayManageTeams, type Person } from '../../identity/access';
import { type ConsoleContext, type Form, formOf, queryValues } from '../context';
import { ConsoleHttpError } from '../errors';
import { Field } from '../views/fields';
import { Notice } from '../views/layout';

const FIELDS: FieldSpec[] = [
  { name: 'code', label: 'Team code', type: 'text', required: true, placeholder: 'LOCALITY-NORTH', help: 'As cases carry it.' },
  { name: 'name', label: 'Name', type: 'text', required: true, placeholder: 'Locality North' },
  { name: 'serviceArea', label: 'Service area', type: 'text', required: true },
  { name: 'manager', label: 'Team manager (user id)', type: 'text', required: true },
  { name: 'head', label: 'Head of service (user id)', type: 'text', required: true },
  { name: 'sourceId', label: "Case system's team id", type: 'text', help: 'ssd_department.dept_team_id, when known.' },
];

function onlyAdministrators(person: Person): void {
  if (!mayManageTeams(person)) throw new ConsoleHttpError(403, 'Only an administrator may keep the team directory: nothing was changed.');
}

function directoryOf(ctx: ConsoleContext): TeamDirectory {
  if (!ctx.options.teams) throw new ConsoleHttpError(404, 'The team directory is not configured for this console.');
  return ctx.options.teams;
}

const formOfTeam = (t: Team): Form => ({ code: t.code, name: t.name, serviceArea: t.serviceArea, manager: t.manager, head: t.head, sourceId: t.sourceId ?? '' });

export function registerTeamRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  async function page(request: FastifyRequest, reply: FastifyReply, status: number, values: Form = {}, errors: FieldErrors = {}, editing = false) {
    const teams = await directoryOf(ctx).list();
    const done = queryValues(request.query)['done'];
    const removed = queryValues(request.query)['removed'];
    return ctx.sendPage(
      request,
      reply,
      status,
      'Teams',
      <>
        <p class="muted">
          The council's teams as CaseClock knows them. Once any team is listed here, a case or serious incident can be opened (from this console, the command line or an import) only in a listed team; a case moved to
          another team is refused the same way.
        </p>
        {teams.length === 0 && (
          <Notice kind="warn">
            <p id="teams-empty">
              No teams are listed yet, so cases may be opened in any team. Add the council's teams below (or with <code>caseclock teams set</code>) to have every new case's team checked.
            </p>
          </Notice>
        )}
        {done && <Notice kind="ok">Team {done} saved.</Notice>}
        {removed && <Notice kind="ok">Team {removed} taken out of the directory; its cases keep their team.</Notice>}
        <table class="data" id="teams">
          <thead>
            <tr>
              <th>Code</th>
              <th>Name</th>
              <th>Service area</th>
              <th>Team manager</th>
              <th>Head of service</th>
              <th>Case system id</th>
              <th>Changed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {teams.length > 0 ? (
              teams.map((t) => (
                <tr id={`team-${t.code}`}>
                  <td>{t.code}</td>
                  <td>{t.name}</td>
                  <td>{t.serviceArea}</td>
                  <td>{t.manager}</td>
                  <td>{t.head}</td>
                  <td>{t.sourceId ?? ''}</td>
                  <td class="small">
                    {localTime(t.changedAt)} by {t.changedBy}
                  </td>
                  <td class="nowrap">
                    <a href={`/admin/teams?edit=${encodeURIComponent(t.code)}`}>Edit</a>{' '}
                    <form method="post" action={`/admin/teams/${encodeURIComponent(t.code)}/remove`} class="inline">
                      <input type="hidden" name="csrf" value={ctx.csrf(reply)} />
                      <button class="small">Remove</button>
                    </form>
                  </td>
                </tr>
              ))
            ) : (
              <tr>
                <td colSpan={8} class="muted">
                  No teams listed.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <form method="post" action="/admin/teams" class="card" id="team-form">
          <h2>{editing ? `Change team ${values['code'] ?? ''}` : 'Add a team'}</h2>
          <input type="hidden" name="csrf" value={ctx.csrf(reply)} />
          {Object.keys(errors).length > 0 && <Notice kind="error">Nothing was saved: please correct the fields marked below.</Notice>}
          <div class="grid">
            {FIELDS.map((s) => (
              <Field spec={s} value={values[s.name]} error={errors[s.name]} formId="team" />
            ))}
          </div>
          <button class="primary">{editing ? 'Save changes' : 'Add team'}</button>
        </form>
      </>,
      'teams',
    );
  }

  app.get('/admin/teams', async (request, reply) => {
    onlyAdministrators(ctx.person(request));
    const edit = queryValues(request.query)['edit'];
    if (edit === undefined) return page(request, reply, 200);
    const team = await directoryOf(ctx)
      .get(edit)
      .catch((err: unknown) => {
        if (err instanceof TeamDirectoryInvalid) return undefined;
        throw err;
      });
    if (!team) throw new ConsoleHttpError(404, `No team ${edit} in the directory.`);
    return page(request, reply, 200, formOfTeam(team), {}, true);
  });

  app.post('/admin/teams', async (request, reply) => {
    const person = ctx.person(request);
    onlyAdministrators(person);
    const form = formOf(request.body);
    const value = (name: string): string => form[name] ?? '';
    const sourceId = value('sourceId').trim();
    let team: Team;
    try {
      team = await directoryOf(ctx).upsert({
        code: value('code').trim(),
        name: value('name'),
        serviceArea: value('serviceArea'),
        manager: value('manager').trim(),
        head: value('head').trim(),
        ...(sourceId === '' ? {} : { sourceId }),
        changedBy: person.id,
      });
    } catch (err) {
      if (err instanceof TeamDirectoryInvalid) return page(request, reply, 400, form, { [err.field]: err.problem });
      throw err;
    }
    request.log.info({ user: person.id, team: team.code }, 'team saved');
    return reply.redirect(`/admin/teams?done=${encodeURIComponent(team.code)}`, 303);
  });

  app.post('/admin/teams/:code/remove', async (request, reply) => {
    const person = ctx.person(request);
    onlyAdministrators(person);
    const { code } = request.params as { code: string };
    let removed: boolean;
    try {
      removed = await directoryOf(ctx).remove(code);
    } catch (err) {
      if (err instanceof TeamDirectoryInvalid) removed = false;
      else throw err;
    }
    if (!removed) throw new ConsoleHttpError(404, `No team ${code} in the directory: nothing was changed.`);
    request.log.info({ user: person.id, team: code }, 'team removed');
    return reply.redirect(`/admin/teams?removed=${encodeURIComponent(code)}`, 303);
  });
}
