/**
 * The staff directory (store/staff-directory.ts): `staff list|set|remove`. Anyone may list it;
 * only administrators change it (client/identity/access.ts, mayManageStaff). The sync from the
 * council's case system finds a worker's name and email here by their staff id (docs/staff.md).
 */
import type { Command } from 'commander';
import { openStaffDirectory, StaffId, StaffInput, type StaffDirectory, type StaffMember } from '../../../store/staff-directory';
import { CliError, output } from '../support';
import { administratorActor, commonOptions, type CommonOptions, parseOptions, quoted, withDirectory } from './common';

/** The directory's fields as the options that set them. */
const FLAGS: Record<string, string> = {
  staffId: '<staffId>',
  name: '--name',
  email: '--email',
  userId: '--user',
  changedBy: '--as',
  by: '--as',
  staff: '<staffId>',
};

/** Opens the directory, runs `fn`, always closes it; a bad field is one line naming its option. */
const withStaff = <T>(fn: (staff: StaffDirectory) => Promise<T>): Promise<T> => withDirectory('staff directory', openStaffDirectory, FLAGS, fn);

function staffLine(s: StaffMember): string {
  const user = s.userId === undefined ? '' : `, console user ${s.userId}`;
  return `${s.staffId}  ${s.name} <${s.email}>${user}; changed by ${s.changedBy} at ${s.changedAt}`;
}

type SetOptions = CommonOptions & { name?: string; email?: string; user?: string };

export function register(program: Command): void {
  const staff = program.command('staff').description("the council's staff by their case-system staff id: the name and email reminders and escalations go to");

  commonOptions(staff.command('list').description('every member of staff in the directory'), false).action(async (o: { json?: boolean }) => {
    const list = await withStaff((s) => s.list());
    output(o.json === true, { staff: list }, () => (list.length === 0 ? 'no staff listed (caseclock staff set adds one)' : list.map(staffLine).join('\n')));
  });

  commonOptions(
    staff
      .command('set')
      .description('add a member of staff, or change what is recorded for them (administrators)')
      .argument('<staffId>', "their staff id in the council's case system (ssd_professionals.prof_staff_id)")
      .option('--name <name>', 'how they are named in emails, e.g. "Sam Worker" (required)')
      .option('--email <email>', 'their work email (required)')
      .option('--user <userId>', 'the console user id they sign in as'),
  ).action(async (staffId: string, o: SetOptions) => {
    const changedBy = administratorActor(o, process.env, undefined, 'staff');
    // Refused by option before the store is reached; the store checks the same schema again.
    const input = parseOptions(StaffInput, { staffId, name: o.name, email: o.email, ...(o.user !== undefined ? { userId: o.user } : {}), changedBy }, FLAGS);
    const member = await withStaff((s) => s.set(input));
    output(o.json === true, { member }, () => `staff ${member.staffId} recorded by ${changedBy}: ${staffLine(member)}`);
  });

  commonOptions(staff.command('remove').description('take a member of staff out of the directory (administrators; cases keep the contacts they were given)').argument('<staffId>', 'their staff id')).action(
    async (staffId: string, o: CommonOptions) => {
      const by = administratorActor(o, process.env, undefined, 'staff');
      const key = parseOptions(StaffId, staffId, { '': '<staffId>' });
      const removed = await withStaff((s) => s.remove(key, by));
      if (!removed) throw new CliError(`<staffId> ${quoted(key)}: no such member of staff in the directory: nothing was changed`);
      output(o.json === true, { removed: key, by }, () => `staff ${key} removed from the directory by ${by}`);
    },
  );
}
