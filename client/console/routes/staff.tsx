/**
 * The staff directory (`/admin/staff`), administrators only: the council's staff by their case-system
 * staff id, with the name and work email reminders and escalations go to and the console user id
 * they sign in as, added and changed with a form, and taken out. The sync from the council's case
 * system finds a worker's contact here by staff id (docs/staff.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { localTime } from '../../../domain/wording';
import type { StaffDirectory, StaffMember } from '../../../store/staff-directory';
import type { FieldErrors, FieldSpec } from '../../actions/fields';
import { mayManageStaff, type Person } from '../../identity/access';
import { type ConsoleContext, type Form, formOf, queryValues } from '../context';
import { ConsoleHttpError } from '../errors';
import { EntryActions, foundOrNone, removedOrNot, savedOrErrors } from '../views/directory';
import { Field } from '../views/fields';
import { Notice } from '../views/layout';

const FIELDS: FieldSpec[] = [
  { name: 'staffId', label: 'Staff id', type: 'text', required: true, placeholder: 'PROF-1001', help: 'As the case system has it (ssd_professionals.prof_staff_id).' },
  { name: 'name', label: 'Name', type: 'text', required: true, placeholder: 'Sam Worker' },
  { name: 'email', label: 'Work email', type: 'email', required: true },
  { name: 'userId', label: 'Console user id', type: 'text', help: 'When they sign in to CaseClock.' },
];

function onlyAdministrators(person: Person): void {
  if (!mayManageStaff(person)) throw new ConsoleHttpError(403, 'Only an administrator may keep the staff directory: nothing was changed.');
}

function directoryOf(ctx: ConsoleContext): StaffDirectory {
  if (!ctx.options.staff) throw new ConsoleHttpError(404, 'The staff directory is not configured for this console.');
  return ctx.options.staff;
}

const formOfMember = (s: StaffMember): Form => ({ staffId: s.staffId, name: s.name, email: s.email, userId: s.userId ?? '' });

export function registerStaffRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  async function page(request: FastifyRequest, reply: FastifyReply, status: number, values: Form = {}, errors: FieldErrors = {}, editing = false) {
    const staff = await directoryOf(ctx).list();
    const done = queryValues(request.query)['done'];
    const removed = queryValues(request.query)['removed'];
    return ctx.sendPage(
      request,
      reply,
      status,
      'Staff',
      <>
        <p class="muted">
          The council's staff as CaseClock knows them, by their staff id in the case system. Cases followed from the case system take their allocated worker's name and email from here; a worker not listed is reported,
          not guessed.
        </p>
        {done && <Notice kind="ok">Staff member {done} saved.</Notice>}
        {removed && <Notice kind="ok">Staff member {removed} taken out of the directory; cases keep the contacts they were given.</Notice>}
        <table class="data" id="staff">
          <thead>
            <tr>
              <th>Staff id</th>
              <th>Name</th>
              <th>Work email</th>
              <th>Console user</th>
              <th>Changed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {staff.length > 0 ? (
              staff.map((s) => (
                <tr id={`staff-${s.staffId}`}>
                  <td>{s.staffId}</td>
                  <td>{s.name}</td>
                  <td>{s.email}</td>
                  <td>{s.userId ?? ''}</td>
                  <td class="small">
                    {localTime(s.changedAt)} by {s.changedBy}
                  </td>
                  <EntryActions base="/admin/staff" entry={s.staffId} csrf={ctx.csrf(reply)} />
                </tr>
              ))
            ) : (
              <tr>
                <td colSpan={6} class="muted">
                  No staff listed.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <form method="post" action="/admin/staff" class="card" id="staff-form">
          <h2>{editing ? `Change staff member ${values['staffId'] ?? ''}` : 'Add a member of staff'}</h2>
          <input type="hidden" name="csrf" value={ctx.csrf(reply)} />
          {Object.keys(errors).length > 0 && <Notice kind="error">Nothing was saved: please correct the fields marked below.</Notice>}
          <div class="grid">
            {FIELDS.map((f) => (
              <Field spec={f} value={values[f.name]} error={errors[f.name]} formId="staff" />
            ))}
          </div>
          <button class="primary">{editing ? 'Save changes' : 'Add member of staff'}</button>
        </form>
      </>,
      'staff',
    );
  }

  app.get('/admin/staff', async (request, reply) => {
    onlyAdministrators(ctx.person(request));
    const edit = queryValues(request.query)['edit'];
    if (edit === undefined) return page(request, reply, 200);
    const member = await foundOrNone(directoryOf(ctx).find(edit));
    if (!member) throw new ConsoleHttpError(404, `No staff member ${edit} in the directory.`);
    return page(request, reply, 200, formOfMember(member), {}, true);
  });

  app.post('/admin/staff', async (request, reply) => {
    const person = ctx.person(request);
    onlyAdministrators(person);
    const form = formOf(request.body);
    const value = (name: string): string => form[name] ?? '';
    const userId = value('userId').trim();
    const result = await savedOrErrors(
      directoryOf(ctx).set({
        staffId: value('staffId'),
        name: value('name'),
        // Browsers trim an email field's value; a pasted address may still carry spaces elsewhere.
        email: value('email').trim(),
        ...(userId === '' ? {} : { userId }),
        changedBy: person.id,
      }),
    );
    if ('errors' in result) return page(request, reply, 400, form, result.errors);
    const member = result.saved;
    request.log.info({ user: person.id, staffId: member.staffId }, 'staff member saved');
    return reply.redirect(`/admin/staff?done=${encodeURIComponent(member.staffId)}`, 303);
  });

  app.post('/admin/staff/:staffId/remove', async (request, reply) => {
    const person = ctx.person(request);
    onlyAdministrators(person);
    const { staffId } = request.params as { staffId: string };
    const removed = await removedOrNot(directoryOf(ctx).remove(staffId, person.id));
    if (!removed) throw new ConsoleHttpError(404, `No staff member ${staffId} in the directory: nothing was changed.`);
    // The directory keeps no history: who removed whom is in the console's log.
    request.log.info({ user: person.id, staffId }, 'staff member removed');
    return reply.redirect(`/admin/staff?removed=${encodeURIComponent(staffId)}`, 303);
  });
}
