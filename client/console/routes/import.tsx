/**
 * Bulk import in the console, for administrators: upload a council's open cases as a CSV file (the
 * format of `caseclock import`, docs/import.md), check it cell by cell without
 * starting anything, or import it as a background job in the console process, whose page shows the
 * progress and, at the end, the summary.
 *
 * The upload is the one multipart form of the console: @fastify/multipart is registered in this
 * route's own scope only (every other route still takes urlencoded forms alone), with a size cap,
 * and the sign-in and role are checked before the body is read. Its fields reach the body before
 * the console's CSRF check, which reads the `csrf` field as for any form.
 *
 * Jobs live in this process only (one at a time): a console restarted mid-import loses its job,
 * and the same file uploaded again carries on, since a case already there is left as it is.
 * Logs name the administrator, the job and counts: never a file name, a case's details or a cell.
 */
import { randomBytes } from 'node:crypto';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { policySnapshotFor } from '../../actions/case-actions';
import { readImportBytes, withKnownTeams, type CellProblem } from '../../import/rows';
import { alreadyThereWords, rowsAlreadyThere, runImport, type ImportCounts, type ImportSummary, type RowOutcome } from '../../import/run';
import { localTime } from '../../../domain/wording';
import { decide, type Person } from '../../identity/access';
import type { ConsoleContext } from '../context';
import { ConsoleHttpError } from '../errors';
import { personFromSession } from '../../identity/session';
import { Notice, page } from '../views/layout';

/** The largest file the page takes. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** Finished jobs kept for their pages (the oldest are forgotten first). */
const KEEP_JOBS = 20;
const JOB_ID = /^[A-Za-z0-9_-]{22}$/;

export interface ImportJob {
  id: string;
  /** The administrator who started it. */
  by: string;
  /** The uploaded file's name, for the page only. */
  file: string;
  /** Rows in the file, good and bad. */
  rows: number;
  /** Good rows: the cases it opens (or finds already there). */
  total: number;
  /** Rows with bad cells: refused without starting anything. */
  bad: number;
  done: number;
  counts: ImportCounts;
  began: number;
  ended?: number;
  summary?: ImportSummary;
  /** Why the job stopped before the end. */
  failure?: string;
}

function onlyAdministrators(person: Person): void {
  if (!decide(person, 'administer').allowed) throw new ConsoleHttpError(403, 'Only an administrator may import cases: nothing was changed.');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** About how long is left, in words. */
export function timeLeft(job: Pick<ImportJob, 'done' | 'total' | 'began'>, now = Date.now()): string {
  if (job.done >= job.total) return 'every row done, finishing (sending the summary emails)…';
  if (job.done === 0) return 'estimating the time left…';
  const seconds = Math.round((((now - job.began) / job.done) * (job.total - job.done)) / 1000);
  if (seconds < 60) return `about ${plural(Math.max(1, seconds), 'second')} left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${plural(minutes, 'minute')} left`;
  return `about ${plural(Math.round(minutes / 60), 'hour')} left`;
}

const RESUME_NOTE = (
  <p class="muted" id="resume-note">
    An import runs in the console itself. If the console is restarted before it ends, upload the same file again: the cases already there are left as they are and the rest are started.
  </p>
);

export function registerImportRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { options } = ctx;
  const jobs = new Map<string, ImportJob>();
  const runningJob = (): ImportJob | undefined => [...jobs.values()].find((j) => j.ended === undefined);

  /** A page of this feature (the job page refreshes itself while the job runs: no script, the CSP allows none inline). */
  function send(request: FastifyRequest, reply: FastifyReply, status: number, title: string, body: ComponentChildren, refresh?: number): FastifyReply {
    const person = ctx.person(request);
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page(title, body, { person, csrf: ctx.csrf(reply), nav: 'import', ...(refresh ? { refresh } : {}) }));
  }

  function UploadForm(props: { csrf: string }) {
    return (
      <form method="post" action="/admin/import" enctype="multipart/form-data" class="card" id="import-form">
        <input type="hidden" name="csrf" value={props.csrf} />
        <p>
          <label for="import-file">CSV file of open cases, one case a row (at most {MAX_IMPORT_BYTES / 1024 / 1024} MB)</label>
          <br />
          <input type="file" id="import-file" name="file" accept=".csv,text/csv" required />
        </p>
        <p class="help">
          The columns are those of docs/import.md, "Importing open cases" (docs/examples/import-example.csv is an example); save from a spreadsheet as "CSV UTF-8". New cases get the configured default policy. Rows with a
          bad cell are not started: they are listed as refused at the end.
        </p>
        <button name="action" value="check">
          Check (starts nothing)
        </button>{' '}
        <button name="action" value="import" class="primary">
          Import
        </button>
      </form>
    );
  }

  function JobList() {
    const list = [...jobs.values()].reverse();
    if (list.length === 0) return null;
    return (
      <>
        <h2>Imports since the console started</h2>
        <table class="data compact" id="import-jobs">
          <thead>
            <tr>
              <th>Started</th>
              <th>By</th>
              <th>File</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {list.map((j) => (
              <tr>
                <td class="nowrap">
                  <a href={`/admin/import/${j.id}`}>{localTime(new Date(j.began).toISOString())}</a>
                </td>
                <td>{j.by}</td>
                <td>{j.file}</td>
                <td>
                  {j.ended === undefined
                    ? `running: ${j.done} of ${j.total} done`
                    : j.failure
                      ? 'stopped'
                      : `${j.summary?.started ?? 0} started, ${j.summary?.alreadyThere ?? 0} already there, ${j.summary?.refused ?? 0} refused`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    );
  }

  function formPage(request: FastifyRequest, reply: FastifyReply, status: number, before?: ComponentChildren) {
    const running = runningJob();
    return send(
      request,
      reply,
      status,
      'Import cases',
      <>
        {before}
        {running && (
          <Notice kind="warn">
            An import is running (started by {running.by}): <a href={`/admin/import/${running.id}`}>see its progress</a>. Another can start when it has finished.
          </Notice>
        )}
        <p class="muted">
          Brings a council's open cases in from its previous system, each opened with the dates recorded there, so its clocks run from them. Check the file first: it names every bad cell and starts nothing.
        </p>
        <UploadForm csrf={ctx.csrf(reply)} />
        {RESUME_NOTE}
        <JobList />
      </>,
    );
  }

  function ProblemTable(props: { problems: readonly CellProblem[]; id?: string; what?: string }) {
    return (
      <table class="data compact" id={props.id ?? 'import-problems'}>
        <thead>
          <tr>
            <th class="num">Line</th>
            <th>Column</th>
            <th>{props.what ?? 'What is wrong'}</th>
          </tr>
        </thead>
        <tbody>
          {props.problems.map((p) => (
            <tr>
              <td class="num">{p.line}</td>
              <td>{p.column || (p.line === 1 ? '(the whole file)' : '(the whole row)')}</td>
              <td>{p.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  app.get('/admin/import', async (request, reply) => {
    onlyAdministrators(ctx.person(request));
    return formPage(request, reply, 200);
  });

  app.get<{ Params: { job: string } }>('/admin/import/:job', async (request, reply) => {
    const person = ctx.person(request);
    onlyAdministrators(person);
    const job = JOB_ID.test(request.params.job) ? jobs.get(request.params.job) : undefined;
    if (!job) {
      throw new ConsoleHttpError(
        404,
        'There is no such import in this console: it may have been started before the console was restarted. Upload the same file again to carry it on; the cases already there are left as they are.',
      );
    }
    return send(request, reply, 200, job.ended === undefined ? 'Importing cases' : 'Import finished', <JobView job={job} />, job.ended === undefined ? 2 : undefined);
  });

  // The upload: its own scope, the only one that parses multipart bodies.
  void app.register(async (scope) => {
    // Sign-in and role before a byte of the body is read (the console checks them again, with the CSRF token, once it is).
    scope.addHook('preParsing', async (request) => {
      const verdict = personFromSession(request.session.get('via') ? { ...request.session } : undefined, options.users, options.sessionSecret, options.limits);
      if (!verdict.person) throw new ConsoleHttpError(401, 'Your session has ended. Please sign in again; nothing was changed.');
      onlyAdministrators(verdict.person);
    });
    await scope.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 4, fieldSize: 1024, parts: 6, headerPairs: 100 },
      // The file's name comes along with its bytes (for the page only).
      async onFile(part) {
        const data = await part.toBuffer();
        (part as unknown as { value: unknown }).value = { filename: part.filename, data };
      },
    });
    scope.setErrorHandler(async (error: Error & { code?: string; statusCode?: number }) => {
      switch (error.code) {
        case 'FST_REQ_FILE_TOO_LARGE':
          throw new ConsoleHttpError(413, `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB: nothing was started. Split it into smaller files and import each.`);
        case 'FST_FILES_LIMIT':
        case 'FST_FIELDS_LIMIT':
        case 'FST_PARTS_LIMIT':
          throw new ConsoleHttpError(413, 'Send one CSV file from the import page: nothing was started.');
        case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
        case 'FST_PROTO_VIOLATION':
          throw new ConsoleHttpError(400, 'Send the file from the import page: nothing was started.');
        default:
          throw error;
      }
    });

    scope.post('/admin/import', { bodyLimit: MAX_IMPORT_BYTES + 64 * 1024 }, async (request, reply) => {
      const person = ctx.person(request);
      onlyAdministrators(person);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const action = body['action'] === 'import' ? 'import' : 'check';
      const upload = body['file'] as { filename?: unknown; data?: unknown } | undefined;
      const data = upload && Buffer.isBuffer(upload.data) ? upload.data : undefined;
      const file = typeof upload?.filename === 'string' && upload.filename !== '' ? upload.filename : 'the uploaded file';
      if (!data || data.length === 0) return formPage(request, reply, 400, <Notice kind="error">Choose a CSV file to check or import: nothing was started.</Notice>);
      // A file not saved as CSV UTF-8 (UTF-16, another encoding, semicolons or tabs) is one problem, with the fix.
      const read = readImportBytes(data, person.id, new Date());
      // Rows in a team the directory does not list are bad `team` cells, in the check as in the import.
      const teams = await ctx.knownTeams();
      const checked = withKnownTeams(read, teams);
      const counts = (
        <p id="import-counts">
          <strong>{file}</strong>: {plural(checked.total, 'row')}, {checked.rows.length} good, {checked.badLines.size} bad.
        </p>
      );

      if (action === 'check' || checked.unreadable) {
        // Which rows' cases are there already, from the case summaries (nothing asked of a case).
        const already = checked.unreadable ? [] : await rowsAlreadyThere(options.summaries, checked.rows, new Date());
        request.log.info({ user: person.id, rows: checked.total, good: checked.rows.length, bad: checked.badLines.size, unreadable: checked.unreadable }, 'import file checked');
        const verdict = checked.unreadable ? (
          <Notice kind="error">
            <p>This file cannot be imported as it is: nothing was started.</p>
          </Notice>
        ) : checked.problems.length === 0 ? (
          <Notice kind="ok">
            <p>Every row is good. Nothing was started: choose the file again below and press Import.</p>
          </Notice>
        ) : (
          <Notice kind="warn">
            <p>
              {plural(checked.problems.length, 'bad cell')} in {plural(checked.badLines.size, 'row')}: nothing was started. Correct them and check again; an import now would start the{' '}
              {plural(checked.rows.length, 'good row')} and refuse the others.
            </p>
          </Notice>
        );
        return formPage(
          request,
          reply,
          checked.unreadable ? 400 : 200,
          <section id="import-check">
            <h2>{checked.unreadable ? 'Not imported' : 'Check (nothing started)'}</h2>
            {counts}
            {verdict}
            {checked.problems.length > 0 && <ProblemTable problems={checked.problems} />}
            {already.length > 0 && <AlreadyThere rows={already} />}
            {checked.warnings.length > 0 && (
              <>
                <p id="import-warnings-note">
                  {plural(checked.warnings.length, 'warning')}: these rows import as they are, but their dates imply a history the file does not give. Add the columns named if the council's record has them.
                </p>
                <ProblemTable problems={checked.warnings} id="import-warnings" what="What to check" />
              </>
            )}
          </section>,
        );
      }

      const running = runningJob();
      if (running) {
        return formPage(
          request,
          reply,
          409,
          <Notice kind="error">
            Another import is running: nothing was started. <a href={`/admin/import/${running.id}`}>See its progress</a>, and import this file when it has finished.
          </Notice>,
        );
      }
      const policy = policySnapshotFor('default', options.configuredPolicy);
      const job: ImportJob = {
        id: randomBytes(16).toString('base64url'),
        by: person.id,
        file,
        rows: checked.total,
        total: checked.rows.length,
        bad: checked.badLines.size,
        done: 0,
        counts: { started: 0, already: 0, refused: 0 },
        began: Date.now(),
      };
      jobs.set(job.id, job);
      for (const [id, j] of jobs) if (jobs.size > KEEP_JOBS && j.ended !== undefined) jobs.delete(id);
      const log = app.log.child({ user: person.id, job: job.id });
      log.info({ rows: job.rows, good: job.total, bad: job.bad }, 'import started');
      const summaries = options.importSummaries ? { summaries: { ...options.importSummaries, consoleUrl: options.publicUrl ?? `${request.protocol}://${request.host}` } } : {};
      void runImport(options.client, checked, policy, {
        file,
        teams,
        cases: options.summaries,
        ...summaries,
        progress: {
          tick(counts) {
            job.done++;
            job.counts = { ...counts };
          },
          stop() {},
        },
      }).then(
        (summary) => {
          job.summary = summary;
          job.ended = Date.now();
          const unsent = (summary.summaries ?? []).filter((s) => s.error !== undefined).length;
          log.info({ started: summary.started, alreadyThere: summary.alreadyThere, refused: summary.refused, summaryEmails: summary.summaries?.length, unsent, seconds: summary.seconds }, 'import finished');
        },
        (err: unknown) => {
          job.failure = err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err);
          job.ended = Date.now();
          log.error({ err: { type: err instanceof Error ? err.name : 'unknown' }, done: job.done, counts: job.counts }, 'import stopped');
        },
      );
      return reply.redirect(`/admin/import/${job.id}`, 303);
    });
  });
}

function JobView({ job }: { job: ImportJob }) {
  const s = job.summary;
  const percent = job.total === 0 ? 100 : Math.floor((job.done / job.total) * 100);
  return (
    <>
      <p class="muted">
        {job.file}, started by {job.by} at {localTime(new Date(job.began).toISOString())}: {plural(job.rows, 'row')}
        {job.bad > 0 ? `, of which ${plural(job.bad, 'row')} with bad cells (refused, nothing started for them)` : ''}.
      </p>
      {job.ended === undefined && (
        <section id="import-progress">
          <p>
            <progress max={job.total} value={job.done}>
              {percent}%
            </progress>{' '}
            <strong id="import-done">
              {job.done} of {job.total}
            </strong>{' '}
            done ({percent}%), <span id="import-eta">{timeLeft(job)}</span>
          </p>
          <p id="import-counts">
            {job.counts.started} started, {job.counts.already} already there, {job.counts.refused} refused
          </p>
          <p class="muted">This page refreshes itself every 2 seconds.</p>
        </section>
      )}
      {job.failure !== undefined && (
        <Notice kind="error">
          <p>
            The import stopped after {job.done} of {job.total} rows: {job.failure}
          </p>
          <p>Upload the same file again to carry it on: the cases already there are left as they are.</p>
        </Notice>
      )}
      {s && <SummaryView summary={s} />}
      {RESUME_NOTE}
      <p>
        <a href="/admin/import">Import another file</a>
      </p>
    </>
  );
}

/** The rows whose case is already there (left as they are), and what the file says otherwise of each. */
function AlreadyThere({ rows, id = 'import-already' }: { rows: readonly RowOutcome[]; id?: string }) {
  return (
    <>
      <p id={`${id}-note`}>{plural(rows.length, 'row')} already there: an import leaves these cases as they are.</p>
      <table class="data compact" id={id}>
        <thead>
          <tr>
            <th class="num">Line</th>
            <th>Case</th>
            <th>In CaseClock</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td class="num">{r.line}</td>
              <td>{r.caseId}</td>
              <td>{alreadyThereWords(r.differs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function SummaryView({ summary: s }: { summary: ImportSummary }) {
  const unsent = (s.summaries ?? []).filter((m) => m.error !== undefined);
  return (
    <section id="import-summary">
      <Notice kind={s.refused > 0 || unsent.length > 0 ? 'warn' : 'ok'}>
        <p>
          Finished in {s.seconds} s: {plural(s.rows, 'row')}, <strong id="summary-started">{s.started} started</strong>, <strong id="summary-already">{s.alreadyThere} already there</strong> (left as they were),{' '}
          <strong id="summary-refused">{s.refused} refused</strong>.
        </p>
      </Notice>
      {s.differing.length > 0 && <AlreadyThere rows={s.differing} id="import-differing" />}
      {s.refusals.length > 0 && (
        <>
          <h2>Refused</h2>
          <table class="data compact" id="import-refusals">
            <thead>
              <tr>
                <th class="num">Line</th>
                <th>Case</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {s.refusals.map((r) => (
                <tr>
                  <td class="num">{r.line}</td>
                  <td>{r.caseId}</td>
                  <td>{r.reason ?? 'refused'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>Summary emails</h2>
      {s.summaries === undefined ? (
        <p class="muted">Each case sends the escalations already due on its arrival itself.</p>
      ) : s.summaries.length === 0 ? (
        <p class="muted" id="import-no-summaries">
          No escalation was due on arrival: no summary email was needed.
        </p>
      ) : (
        <>
          <p class="muted">The escalations already due when the cases arrived, gathered into one email per team manager or head of service.</p>
          <table class="data compact" id="import-summaries">
            <thead>
              <tr>
                <th>To</th>
                <th class="num">Escalations</th>
                <th>Sent</th>
              </tr>
            </thead>
            <tbody>
              {s.summaries.map((m) => (
                <tr>
                  <td>{m.to}</td>
                  <td class="num">{m.escalations}</td>
                  <td>{m.error === undefined ? `sent (${m.smtpResponse ?? ''})` : <span class="late">NOT sent: {m.error}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {unsent.length > 0 && (
            <Notice kind="error">
              {plural(unsent.length, 'summary email')} could not be sent. They are kept: importing the same file again (once the mail server answers) sends them; the cases will not send these escalations themselves.
            </Notice>
          )}
        </>
      )}
    </section>
  );
}
