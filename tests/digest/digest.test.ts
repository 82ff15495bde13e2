/**
 * The daily digest against the run's real dev server, the run's store and a real SMTP server: cases
 * opened on a policy counted in seconds go overdue in the test's own time; the digest workflow, run
 * for a working day, sends each team manager and head of service exactly one email with their cases
 * (read from the case summaries in the store), most urgent first, names no one; run for a bank
 * holiday or a Saturday it sends nothing and says why. With no worker for the cases at all it is
 * built all the same, and says which cases it could not include. The schedule that starts it is
 * created on the server and described back.
 */
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestActivities } from '../../activities/digest';
import { openCase } from '../../common/cases';
import { WorkingDayCalendar } from '../../domain/calendar';
import { ukDateOf } from '../../domain/digest';
import type { PolicySnapshot } from '../../domain/policy';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { DIGEST_CATCHUP_WINDOW, digestScheduleOptions, ensureDigestSchedule } from '../../worker/digest-schedule';
import { openCaseSummaries, type CaseSummaries } from '../../store/case-summaries';
import type { DailyDigestResult } from '../../workflows/digest';
import { stateQuery } from '../../workflows/messages';
import { caseActivities, storeUrl } from '../support/case-record';
import { startMailbox, type Mailbox, type ReceivedMail } from '../support/mailbox';
import { secondsPolicy } from '../support/seconds-policy';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';

let mailbox: Mailbox;
let dev: DevServerConnections;
let connection: NativeConnection;
let client: Client;
let bundle: WorkflowBundlePath;
let summaries: CaseSummaries;

beforeAll(async () => {
  summaries = openCaseSummaries(storeUrl());
  mailbox = await startMailbox();
  dev = await connectDevServer();
  ({ nativeConnection: connection, client } = dev);
  bundle = await bundleCaseWorkflows();
});
afterAll(async () => {
  await summaries?.close();
  await dev?.close();
  await mailbox?.close();
});

const CONSOLE = 'https://caseclock.council.test';

/**
 * The run's summaries as a digest of only these teams sees them: the store is shared by every test
 * file, and a digest of the whole store would write to other files' managers.
 */
const summariesOf = (teams: string[]): Pick<CaseSummaries, 'list' | 'get'> => ({
  list: (filter) => summaries.list({ ...filter, teams }),
  get: async (subject, caseId, now) => {
    const summary = await summaries.get(subject, caseId, now);
    return summary && teams.includes(summary.details.team) ? summary : undefined;
  },
});

/** The case's summary as of now, once it has written one. */
const summaryOf = (caseId: string) => summaries.get('case', caseId, new Date().toISOString());

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never saw ${what}`);
}

/** Today's UK date, or the next working day after it: a date the digest goes on. */
function nextWorkingDay(): string {
  const calendar = WorkingDayCalendar.englandAndWales();
  let date = ukDateOf(new Date());
  while (!calendar.isWorkingDay(date)) date = new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return date;
}

/** The case references in an email's text, in the order listed. */
const refsIn = (mail: ReceivedMail) => [...mail.text.matchAll(/^- (\S+) \(team /gm)].map((m) => m[1]!);

describe('the daily digest', () => {
  it('sends each manager and head of service one email on a working day, and none on a bank holiday or a Saturday', async () => {
    const taskQueue = uniqueName('digest');
    const run = uniqueName('x').slice(-8);
    const north = `NORTH-${run}`;
    const south = `SOUTH-${run}`;
    const email = { north: `north.${run}@council.test`, south: `south.${run}@council.test`, head: `head.${run}@council.test` };
    const contacts = (manager: string) => ({
      'allocated-worker': { name: 'Sam Worker', email: `worker.${run}@council.test` },
      'team-manager': { name: 'Tess Manager', email: manager },
      'head-of-service': { name: 'Hal Head', email: email.head },
    });
    const ref = { first: `OVERDUE-1-${run}`, second: `OVERDUE-2-${run}`, soon: `SOON-${run}`, later: `LATER-${run}` };
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        ...caseActivities(mailbox),
        ...createDigestActivities({ client, summaries: summariesOf([north, south]), transport: mailbox.transport(), from: 'caseclock@test', consoleUrl: CONSOLE, taskQueue }),
      },
    });
    await worker.runUntil(async () => {
      const open = (reference: string, team: string, manager: string, tier: 'HIGH_IMMEDIATE' | 'PRIORITY' | 'VULNERABLE', policy: PolicySnapshot) =>
        openCase(client, { caseId: reference, details: { reference, team, contacts: contacts(manager) }, openedBy: 'admin1', initialTier: { tier, reason: 'rated' } }, policy, { taskQueue });
      // No escalation emails in the way: the seconds clocks escalate an hour after their deadline.
      const quiet = [{ level: 1, role: 'team-manager' as const, after: 'PT1H' }];
      await open(ref.first, north, email.north, 'HIGH_IMMEDIATE', secondsPolicy({ 'initial-visit-high': 'PT2S' }, quiet));
      await new Promise((r) => setTimeout(r, 1_000));
      await open(ref.second, north, email.north, 'HIGH_IMMEDIATE', secondsPolicy({ 'initial-visit-high': 'PT2S' }, quiet));
      await open(ref.soon, south, email.south, 'PRIORITY', secondsPolicy({ 'initial-visit-priority': 'PT1H' }, quiet));
      await open(ref.later, south, email.south, 'VULNERABLE', loadDefaultSnapshot());
      // Each case's summary written, and both seconds cases past their deadline as of now.
      await eventually(async () => ((await summaryOf(ref.first))?.overdueCount ?? 0) > 0 && ((await summaryOf(ref.second))?.overdueCount ?? 0) > 0, 'both seconds cases overdue');
      await eventually(async () => (await summaryOf(ref.soon)) !== undefined && (await summaryOf(ref.later)) !== undefined, 'every summary written');
      const later = (await summaryOf(ref.later))!;

      const forDate = nextWorkingDay();
      const result: DailyDigestResult = await client.workflow.execute('dailyDigestWorkflow', {
        taskQueue,
        workflowId: uniqueName('digest-run'),
        args: [{ forDate }],
      });
      expect(result).toMatchObject({ forDate, sent: true, casesRead: 4, casesUnreadable: 0 });
      expect(result.recipients?.map((r) => r.email)).toEqual([email.head, email.north, email.south]);

      const ours = () => mailbox.messages.filter((m) => Object.values(email).some((e) => m.to.includes(e)));
      await mailbox.waitFor(() => ours().length >= 3);
      const to = (address: string) => ours().filter((m) => m.to.includes(address));
      for (const address of Object.values(email)) expect(to(address)).toHaveLength(1);
      const [northMail, southMail, headMail] = [to(email.north)[0]!, to(email.south)[0]!, to(email.head)[0]!];

      // Most overdue first, then the soonest due; each manager their own team's cases only.
      expect(refsIn(northMail).filter((r) => r.startsWith('OVERDUE'))).toEqual([ref.first, ref.second]);
      expect(refsIn(northMail).some((r) => r === ref.soon)).toBe(false);
      expect(refsIn(southMail)).toContain(ref.soon);
      expect(refsIn(southMail).some((r) => r.startsWith('OVERDUE'))).toBe(false);
      const headRefs = refsIn(headMail);
      expect(headRefs.indexOf(ref.first)).toBeLessThan(headRefs.indexOf(ref.second));
      expect(headRefs.indexOf(ref.second)).toBeLessThan(headRefs.indexOf(ref.soon));
      expect(headMail.text.indexOf(ref.second)).toBeLessThan(headMail.text.indexOf('Due by'));
      expect(headMail.text).toMatch(new RegExp(`${ref.soon} \\(team ${south}\\): .*, due in \\d+ minutes`));
      // The case beyond the window appears only for what it has due within it.
      const laterDueSoon = later.open.some((o) => Date.parse(o.dueAt) <= Date.parse(`${forDate}T00:00:00Z`) + 7 * 86_400_000);
      if (!laterDueSoon) expect(headRefs).not.toContain(ref.later);
      // Every line in urgency order, each with a link to its case.
      expect(headMail.subject).toMatch(/^\[CaseClock\] Daily digest \d{4}-\d{2}-\d{2}: 2 overdue, \d+ due in the next 3 working days$/);
      expect(headMail.text).toContain(`${CONSOLE}/cases/${ref.first}`);
      expect(headMail.html).toContain(`<a href="${CONSOLE}/cases/${ref.soon}">open case ${ref.soon}</a>`);
      // No one is named: not the child (cases carry no name), nor the staff on the cases.
      for (const mail of [northMail, southMail, headMail]) {
        expect(`${mail.text}\n${mail.html}`).not.toMatch(/Sam Worker|Tess Manager|Hal Head/);
      }
      // One Message-ID per recipient and date.
      expect(new Set([northMail, southMail, headMail].map((m) => m.messageId)).size).toBe(3);

      // A bank holiday and a Saturday: nothing sent, the reason recorded, no activity run.
      for (const [date, why] of [
        ['2026-12-25', 'bank holiday (Christmas Day)'],
        ['2026-12-05', 'Saturday, not a working day'],
      ] as const) {
        const handle = await client.workflow.start('dailyDigestWorkflow', { taskQueue, workflowId: uniqueName('digest-holiday'), args: [{ forDate: date }] });
        expect(await handle.result()).toEqual({ forDate: date, sent: false, reason: `no digest on ${date}: ${why}` });
        const history = await handle.fetchHistory();
        expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
      }
      await new Promise((r) => setTimeout(r, 500));
      expect(ours()).toHaveLength(3);

      for (const id of Object.values(ref)) await client.workflow.getHandle(`case:${id}`).terminate('test finished');
    });
  });
});

describe('the daily digest with no worker for the cases', () => {
  it('is built from the case summaries alone, and says how many cases it could not include because they have written no summary yet', async () => {
    const caseQueue = uniqueName('digest-cases');
    const digestQueue = uniqueName('digest-only');
    const run = uniqueName('z').slice(-8);
    const team = `IDLE-${run}`;
    const email = { manager: `idle.manager.${run}@council.test`, head: `idle.head.${run}@council.test` };
    const contacts = {
      'allocated-worker': { name: 'Sam Worker', email: `worker.${run}@council.test` },
      'team-manager': { name: 'Tess Manager', email: email.manager },
      'head-of-service': { name: 'Hal Head', email: email.head },
    };
    const ref = { overdue: `IDLE-OVERDUE-${run}`, soon: `IDLE-SOON-${run}`, unwritten: `IDLE-UNWRITTEN-${run}` };
    const quiet = [{ level: 1, role: 'team-manager' as const, after: 'PT1H' }];
    const open = (reference: string, policy: PolicySnapshot) =>
      openCase(client, { caseId: reference, details: { reference, team, contacts }, openedBy: 'admin1', initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'rated' } }, policy, { taskQueue: caseQueue });
    // The cases' worker writes each case's summary once, then stops for good.
    const caseWorker = await Worker.create({ connection, taskQueue: caseQueue, workflowBundle: bundle, activities: caseActivities(mailbox) });
    await caseWorker.runUntil(async () => {
      await open(ref.overdue, secondsPolicy({ 'initial-visit-high': 'PT2S' }, quiet));
      await open(ref.soon, secondsPolicy({ 'initial-visit-high': 'PT1H' }, quiet));
      await eventually(async () => (await summaryOf(ref.overdue)) !== undefined && (await summaryOf(ref.soon)) !== undefined, 'both summaries written');
    });
    // Opened with no worker: running in Temporal, with no summary in the store.
    await open(ref.unwritten, secondsPolicy({ 'initial-visit-high': 'PT1H' }, quiet));
    // Past its deadline with nothing written since: the summary works that out as it is read.
    await eventually(async () => ((await summaryOf(ref.overdue))?.overdueCount ?? 0) > 0, 'the first case overdue as of now');
    // Nobody answers for the cases: a state query (what the digest used to ask) gets no answer.
    await expect(client.withAbortSignal(AbortSignal.timeout(2_000), () => client.workflow.getHandle(`case:${ref.overdue}`).query(stateQuery))).rejects.toThrow();

    const digestWorker = await Worker.create({
      connection,
      taskQueue: digestQueue,
      workflowBundle: bundle,
      activities: createDigestActivities({ client, summaries: summariesOf([team]), transport: mailbox.transport(), from: 'caseclock@test', consoleUrl: CONSOLE, taskQueue: caseQueue }),
    });
    await digestWorker.runUntil(async () => {
      const forDate = nextWorkingDay();
      const result: DailyDigestResult = await client.workflow.execute('dailyDigestWorkflow', { taskQueue: digestQueue, workflowId: uniqueName('digest-idle'), args: [{ forDate }] });
      expect(result).toMatchObject({ forDate, sent: true, casesRead: 2, casesUnreadable: 1 });
      expect(result.recipients).toEqual([
        { email: email.head, overdue: 1, dueSoon: 1 },
        { email: email.manager, overdue: 1, dueSoon: 1 },
      ]);
    });
    const to = (address: string) => mailbox.messages.filter((m) => m.to.includes(address));
    await mailbox.waitFor(() => to(email.manager).length === 1 && to(email.head).length === 1);
    for (const mail of [to(email.manager)[0]!, to(email.head)[0]!]) {
      expect(refsIn(mail)).toEqual([ref.overdue, ref.soon]);
      expect(mail.text).toContain('1 case has not written a summary yet, so it is not included: run caseclock summaries backfill.');
      expect(mail.html).toContain('1 case has not written a summary yet, so it is not included: run caseclock summaries backfill.');
      expect(mail.text).not.toContain(ref.unwritten);
    }
    for (const id of Object.values(ref)) await client.workflow.getHandle(`case:${id}`).terminate('test finished');
  });
});

describe('the daily digest when the mail server struggles', () => {
  it('sends what it can, records an address refused for good, and on retry sends only the digests not yet delivered', async () => {
    const taskQueue = uniqueName('digest');
    const run = uniqueName('y').slice(-8);
    const email = { deferred: `deferred.${run}@council.test`, fine: `fine.${run}@council.test`, refused: `refused.${run}@council.test` };
    const contacts = (manager: string) => ({
      'allocated-worker': { name: 'Sam Worker', email: `worker.${run}@council.test` },
      'team-manager': { name: 'Tess Manager', email: manager },
      'head-of-service': { name: 'Hal Head', email: email.refused },
    });
    const refs = [`EAST-${run}`, `WEST-${run}`];
    mailbox.defer.add(email.deferred);
    mailbox.refuse.add(email.refused);
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        ...caseActivities(mailbox),
        ...createDigestActivities({ client, summaries: summariesOf([`T-${run}`]), transport: mailbox.transport(), from: 'caseclock@test', consoleUrl: CONSOLE, taskQueue }),
      },
    });
    try {
      await worker.runUntil(async () => {
        const quiet = [{ level: 1, role: 'team-manager' as const, after: 'PT1H' }];
        for (const [reference, manager] of [
          [refs[0]!, email.deferred],
          [refs[1]!, email.fine],
        ] as const) {
          await openCase(
            client,
            { caseId: reference, details: { reference, team: `T-${run}`, contacts: contacts(manager) }, openedBy: 'admin1', initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'rated' } },
            secondsPolicy({ 'initial-visit-high': 'PT1S' }, quiet),
            { taskQueue },
          );
        }
        await eventually(async () => ((await summaryOf(refs[0]!))?.overdueCount ?? 0) > 0 && ((await summaryOf(refs[1]!))?.overdueCount ?? 0) > 0, 'both cases overdue');
        const handle = await client.workflow.start('dailyDigestWorkflow', { taskQueue, workflowId: uniqueName('digest-retry'), args: [{ forDate: nextWorkingDay() }] });
        const to = (address: string) => mailbox.messages.filter((m) => m.to.includes(address));
        // The first attempt delivers the one it can; the deferred address waits for the retry.
        await mailbox.waitFor(() => to(email.fine).length === 1);
        await eventually(async () => {
          const described = await handle.describe();
          return (described.raw.pendingActivities?.[0]?.attempt ?? 0) >= 2;
        }, 'the activity retried');
        mailbox.defer.delete(email.deferred);
        const result = (await handle.result()) as DailyDigestResult;
        expect(result.recipients).toEqual([
          { email: email.deferred, overdue: 1, dueSoon: 0 },
          { email: email.fine, overdue: 1, dueSoon: 0 },
          { email: email.refused, overdue: 2, dueSoon: 0, undeliverable: expect.stringMatching(/^SMTP server refused the digest: 550/) },
        ]);
        expect(to(email.deferred)).toHaveLength(1);
        // Delivered once, though the activity ran more than once.
        expect(to(email.fine)).toHaveLength(1);
        expect(to(email.refused)).toHaveLength(0);
        for (const id of refs) await client.workflow.getHandle(`case:${id}`).terminate('test finished');
      });
    } finally {
      mailbox.defer.delete(email.deferred);
      mailbox.refuse.delete(email.refused);
    }
  });
});

describe('the digest schedule', () => {
  it('runs on weekday mornings at the configured UK time, skips overlaps, does not catch up a burst, and is updated in place', async () => {
    const scheduleId = uniqueName('digest-schedule');
    const taskQueue = uniqueName('digest');
    expect(await ensureDigestSchedule(client, { time: '08:00', workingDays: 3, taskQueue, scheduleId })).toBe('created');
    const handle = client.schedule.getHandle(scheduleId);
    try {
      const described = await handle.describe();
      expect(described.spec.timezone).toBe('Europe/London');
      expect(described.spec.calendars).toHaveLength(1);
      const calendar = described.spec.calendars![0]!;
      expect(calendar.hour).toEqual([{ start: 8, end: 8, step: 1 }]);
      expect(calendar.minute).toEqual([{ start: 0, end: 0, step: 1 }]);
      expect(calendar.dayOfWeek.map((d) => [d.start, d.end ?? d.start])).toEqual(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((d) => [d, d]));
      expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(described.policies.catchupWindow).toBe(60 * 60 * 1000);
      expect(DIGEST_CATCHUP_WINDOW).toBe('1 hour');
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dailyDigestWorkflow', taskQueue, args: [{ workingDays: 3 }] });
      // Every run is at 08:00 UK time on a weekday, in winter and summer alike.
      for (const at of described.info.nextActionTimes.slice(0, 5)) {
        const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
        expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 08:00$/);
      }

      // Started again with new settings: the same schedule, brought up to date.
      expect(await ensureDigestSchedule(client, { time: '07:30', workingDays: 5, taskQueue, scheduleId })).toBe('updated');
      const updated = await handle.describe();
      expect(updated.spec.calendars![0]!.hour).toEqual([{ start: 7, end: 7, step: 1 }]);
      expect(updated.spec.calendars![0]!.minute).toEqual([{ start: 30, end: 30, step: 1 }]);
      expect(updated.action).toMatchObject({ args: [{ workingDays: 5 }] });
      expect(updated.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(digestScheduleOptions({ time: '07:30', workingDays: 5 }).scheduleId).toBe('caseclock-daily-digest');

      // Started by the schedule, the digest takes its date from the scheduled time, in UK time:
      // a task queue with no cases has nothing to send, and says so.
      const worker = await Worker.create({
        connection,
        taskQueue,
        workflowBundle: bundle,
        activities: createDigestActivities({ client, summaries: summariesOf([uniqueName('NO-CASES')]), transport: mailbox.transport(), from: 'caseclock@test', consoleUrl: CONSOLE, taskQueue }),
      });
      await worker.runUntil(async () => {
        await handle.trigger();
        let workflowId: string | undefined;
        await eventually(async () => {
          workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
          return workflowId !== undefined;
        }, 'the triggered digest');
        const result: DailyDigestResult = await client.workflow.getHandle(workflowId!).result();
        const today = ukDateOf(new Date());
        const working = WorkingDayCalendar.englandAndWales().isWorkingDay(today);
        expect(result).toMatchObject({ forDate: today, sent: false });
        expect(result.reason).toMatch(working ? /nothing overdue or due/ : /not a working day|bank holiday/);
      });
    } finally {
      await handle.delete();
    }
  });
});
