/**
 * The team directory (`/admin/teams`), administrators only: the council's teams with their service
 * area, manager and head of service, added and changed with a form, and taken out. Once it lists any
 * team, cases, incidents and imported rows in a team not in it are refused (common/teams.ts);
 * while it lists none, every team is accepted, and the page says so (docs/teams.md).
 *
 * While the SSD sync is configured, the page also lists the case system's teams the directory does
 * not (read from the source when the page is asked for, client/unmapped-teams.ts), each with an
 * Add that fills the form in; the administrator still chooses the manager and head of service.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UnmappedTeam } from '../../../domain/ssd/unmapped-teams';
import { localTime } from '../../../domain/wording';
import { SsdSourceError } from '../../../store/ssd-source';
import type { Team, TeamDirectory } from '../../../store/team-directory';
import type { FieldErrors, FieldSpec } from '../../actions/fields';
import { mayManageTeams, type Person } from '../../identity/access';
import { readUnmappedTeams, type UnmappedTeams } from '../../unmapped-teams';
import { type ConsoleContext, type Form, formOf, queryValues } from '../context';
import { ConsoleHttpError } from '../errors';
import { EntryActions, foundOrNone, removedOrNot, savedOrErrors } from '../views/directory';
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

/** The case system's teams as the page shows them: not configured, not readable now, or read. */
type Unmapped = { kind: 'absent' } | { kind: 'unread'; reason: string } | ({ kind: 'read' } & UnmappedTeams);

const UNMAPPED_TITLE = 'Teams in the case system not yet in CaseClock';

function UnmappedSection(props: { unmapped: Unmapped }) {
  const { unmapped } = props;
  if (unmapped.kind === 'absent') return null;
  return (
    <section id="unmapped-teams">
      <h2>
        {UNMAPPED_TITLE}
        {unmapped.kind === 'read' ? ` (${unmapped.teams.length})` : ''}
      </h2>
      {unmapped.kind === 'unread' ? (
        <Notice kind="warn">
          <p id="unmapped-teams-unread">The case system could not be read just now, so its teams not yet in CaseClock are not shown: {unmapped.reason}</p>
        </Notice>
      ) : (
        <>
          <p class="muted">
            Read from the case system at {localTime(unmapped.readAt)}, which lists {unmapped.departments} departments: those no team above has as its case system id, with the children allocated to each now, most first.
            The sync opens no case for a child whose team is not listed. <em>Add</em> fills in the form below; choose the team manager and head of service, then add the team.
          </p>
          <table class="data" id="unmapped-teams-list">
            <thead>
              <tr>
                <th>Case system id</th>
                <th>Name</th>
                <th>Service area</th>
                <th>Children allocated now</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {unmapped.teams.length > 0 ? (
                unmapped.teams.map((t) => (
                  <tr id={`unmapped-${t.teamId}`}>
                    <td>{t.teamId}</td>
                    <td>{t.name ?? ''}</td>
                    <td>{t.parentId === null ? '' : t.parentName === null ? t.parentId : `${t.parentName} (${t.parentId})`}</td>
                    <td>{t.children}</td>
                    <td class="nowrap">
                      <a href={`/admin/teams?add=${encodeURIComponent(t.teamId)}#team-form`}>Add</a>
                    </td>
                  </tr>
                ))
              ) : (
                <tr>
                  <td colSpan={5} class="muted">
                    Every team in the case system is in the directory.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** The add-team form filled in from the case system's team: manager and head of service left to the administrator. */
const formOfUnmapped = (t: UnmappedTeam): Form => ({ ...t.suggestion });

interface PageState {
  values?: Form;
  errors?: FieldErrors;
  editing?: boolean;
  /** The case system's team the form was filled in from (?add=), or the id asked for when it is not one. */
  adding?: { teamId: string; found?: UnmappedTeam };
}

export function registerTeamRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  /**
   * The case system's teams the directory does not list, read now. A source that cannot be read
   * costs this section only: the rest of the page is the directory's.
   */
  async function unmappedOf(request: FastifyRequest, teams: readonly Team[]): Promise<Unmapped> {
    const feed = ctx.options.teamFeed;
    if (!feed) return { kind: 'absent' };
    try {
      return { kind: 'read', ...(await readUnmappedTeams(feed, { list: () => Promise.resolve([...teams]) })) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      request.log.warn({ error: message }, 'case system teams not read');
      // A source error never holds a row's content; anything else is for the log only.
      return { kind: 'unread', reason: err instanceof SsdSourceError ? message : 'see the console log.' };
    }
  }

  async function page(request: FastifyRequest, reply: FastifyReply, status: number, state: PageState = {}, known?: { teams: Team[]; unmapped: Unmapped }) {
    const teams = known?.teams ?? (await directoryOf(ctx).list());
    const unmapped = known?.unmapped ?? (await unmappedOf(request, teams));
    const { values = {}, errors = {}, editing = false, adding } = state;
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
                  <EntryActions base="/admin/teams" entry={t.code} csrf={ctx.csrf(reply)} />
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
        <UnmappedSection unmapped={unmapped} />
        <form method="post" action="/admin/teams" class="card" id="team-form">
          <h2>{editing ? `Change team ${values['code'] ?? ''}` : 'Add a team'}</h2>
          <input type="hidden" name="csrf" value={ctx.csrf(reply)} />
          {adding?.found && (
            <p class="muted" id="team-form-from-source">
              Filled in from the case system's team {adding.found.teamId}
              {adding.found.children > 0 ? `, with ${adding.found.children} ${adding.found.children === 1 ? 'child' : 'children'} allocated to it now` : ''}: check the code, name and service area, choose the team manager
              and head of service, then add the team.
            </p>
          )}
          {adding && !adding.found && unmapped.kind === 'read' && (
            <Notice kind="warn">
              <p id="team-form-not-from-source">The case system's team {adding.teamId} is not among its teams CaseClock does not list (it may have been added already): the form is empty.</p>
            </Notice>
          )}
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
    const query = queryValues(request.query);
    const edit = query['edit'];
    const add = query['add'];
    if (edit === undefined && add !== undefined) {
      const teams = await directoryOf(ctx).list();
      const unmapped = await unmappedOf(request, teams);
      const found = unmapped.kind === 'read' ? unmapped.teams.find((t) => t.teamId === add) : undefined;
      return page(request, reply, 200, { adding: { teamId: add, ...(found ? { found } : {}) }, ...(found ? { values: formOfUnmapped(found) } : {}) }, { teams, unmapped });
    }
    if (edit === undefined) return page(request, reply, 200);
    const team = await foundOrNone(directoryOf(ctx).get(edit));
    if (!team) throw new ConsoleHttpError(404, `No team ${edit} in the directory.`);
    return page(request, reply, 200, { values: formOfTeam(team), editing: true });
  });

  app.post('/admin/teams', async (request, reply) => {
    const person = ctx.person(request);
    onlyAdministrators(person);
    const form = formOf(request.body);
    const value = (name: string): string => form[name] ?? '';
    const sourceId = value('sourceId').trim();
    const result = await savedOrErrors(
      directoryOf(ctx).upsert({
        code: value('code').trim(),
        name: value('name'),
        serviceArea: value('serviceArea'),
        manager: value('manager').trim(),
        head: value('head').trim(),
        ...(sourceId === '' ? {} : { sourceId }),
        changedBy: person.id,
      }),
    );
    if ('errors' in result) return page(request, reply, 400, { values: form, errors: result.errors });
    const team = result.saved;
    request.log.info({ user: person.id, team: team.code }, 'team saved');
    return reply.redirect(`/admin/teams?done=${encodeURIComponent(team.code)}`, 303);
  });

  app.post('/admin/teams/:code/remove', async (request, reply) => {
    const person = ctx.person(request);
    onlyAdministrators(person);
    const { code } = request.params as { code: string };
    const removed = await removedOrNot(directoryOf(ctx).remove(code));
    if (!removed) throw new ConsoleHttpError(404, `No team ${code} in the directory: nothing was changed.`);
    request.log.info({ user: person.id, team: code }, 'team removed');
    return reply.redirect(`/admin/teams?removed=${encodeURIComponent(code)}`, 303);
  });
}
