/**
 * A local mail catcher for `npm start`: an SMTP server that accepts every message and a web
 * inbox to read them, so a new user sees CaseClock's reminders and escalations without a real
 * mail server. Messages are kept in memory (at most the newest 500) and as .eml files in
 * .data/mail/ so they survive a restart. For development only: it binds to 127.0.0.1.
 *
 *   npx tsx worker/tools/mail-catcher.ts --smtp-port 1025 --web-port 8025
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { z } from 'zod';
import { escapeHtml } from '../../activities/render-message';
import { REPO_ROOT } from './tools-env';

interface CaughtMail {
  id: number;
  receivedAt: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

const Options = z.object({
  smtpPort: z.coerce.number().int().min(1).max(65535).default(1025),
  webPort: z.coerce.number().int().min(1).max(65535).default(8025),
  dir: z.string().default(path.join(process.env.CASECLOCK_DATA_DIR ?? path.join(REPO_ROOT, '.data'), 'mail')),
});

function parseArgs(argv: string[]): z.infer<typeof Options> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = argv[i + 1];
    if (key && value !== undefined) raw[key] = value;
  }
  const parsed = Options.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`mail-catcher: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    process.exit(2);
  }
  return parsed.data;
}

const MAX_KEPT = 500;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  mkdirSync(options.dir, { recursive: true });
  const inbox: CaughtMail[] = [];
  let nextId = 1;

  const keep = async (raw: Buffer, receivedAt: string) => {
    const mail = await simpleParser(raw);
    inbox.unshift({
      id: nextId++,
      receivedAt,
      from: mail.from?.text ?? '',
      to: Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? ''),
      subject: mail.subject ?? '(no subject)',
      text: mail.text ?? '',
    });
    inbox.length = Math.min(inbox.length, MAX_KEPT);
  };

  // Reload what earlier runs caught, oldest first.
  for (const file of readdirSync(options.dir).filter((f) => f.endsWith('.eml')).sort().slice(-MAX_KEPT)) {
    await keep(readFileSync(path.join(options.dir, file)), file.slice(0, 24).replace(/_/g, ':'));
  }

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const receivedAt = new Date().toISOString();
        writeFileSync(path.join(options.dir, `${receivedAt.replace(/:/g, '_')}-${nextId}.eml`), raw);
        keep(raw, receivedAt).then(() => callback(), callback);
      });
    },
  });

  const web = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://inbox.local');
    if (url.pathname === '/api/messages') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(inbox));
    }
    const rows = inbox
      .map(
        (m) => `<details><summary><b>${escapeHtml(m.subject)}</b> — to ${escapeHtml(m.to)} — ${escapeHtml(m.receivedAt)}</summary>
<pre>${escapeHtml(m.text)}</pre></details>`,
      )
      .join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>CaseClock mail catcher</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}summary{cursor:pointer;padding:.3rem 0}pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem}</style></head>
<body><h1>Mail caught for CaseClock (${inbox.length})</h1><p>Every email the worker sends in development lands here. The page refreshes every 10 seconds.</p>${rows || '<p>No mail yet.</p>'}</body></html>`);
  });

  await new Promise<void>((resolve) => smtp.listen(options.smtpPort, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => web.listen(options.webPort, '127.0.0.1', resolve));
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: 'mail catcher listening', smtp: `smtp://127.0.0.1:${options.smtpPort}`, inbox: `http://127.0.0.1:${options.webPort}` })}\n`,
  );
  const stop = () => {
    web.close();
    smtp.close(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`mail-catcher failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
