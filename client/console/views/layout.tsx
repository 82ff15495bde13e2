/**
 * The page every console screen sits in. Views are Preact components rendered to a string on the
 * server: every value is escaped by construction, and there is no inline script or style (the
 * Content-Security-Policy allows only the console's own /static files).
 */
import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import { ROLE_LABEL, mayOpenCases, type Person } from '../../identity/access';

export type Nav = 'cases' | 'dashboard' | 'kpi' | 'open' | 'incident' | 'views' | 'protocols' | 'import' | 'teams' | 'staff' | 'reconciliation' | 'account';

export interface PageContext {
  person?: Person;
  csrf?: string;
  nav?: Nav;
  /** Reload the page every this many seconds (a page that follows a running job; no script needed). */
  refresh?: number;
}

function NavLink(props: { nav: Nav | undefined; me: Nav; href: string; children: ComponentChildren }) {
  return (
    <a href={props.href} aria-current={props.nav === props.me ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

function Header({ person, csrf, nav }: PageContext) {
  if (!person) return null;
  const teams = person.role === 'head-of-service' ? (person.teams ?? []).join(', ') : person.team;
  return (
    <>
      <nav class="top" aria-label="Main">
        <NavLink nav={nav} me="cases" href="/">
          Cases
        </NavLink>
        <NavLink nav={nav} me="dashboard" href="/dashboard">
          Overdue dashboard
        </NavLink>
        <NavLink nav={nav} me="kpi" href="/kpi">
          Visiting KPI
        </NavLink>
        {mayOpenCases(person) && (
          <>
            <NavLink nav={nav} me="open" href="/cases/new">
              Open a case
            </NavLink>
            <NavLink nav={nav} me="incident" href="/incidents/new">
              Serious incident
            </NavLink>
          </>
        )}
        {person.role === 'administrator' && (
          <>
            <NavLink nav={nav} me="views" href="/admin/views">
              Who viewed what
            </NavLink>
            <NavLink nav={nav} me="protocols" href="/admin/protocols">
              Protocols due for review
            </NavLink>
            <NavLink nav={nav} me="import" href="/admin/import">
              Import cases
            </NavLink>
            <NavLink nav={nav} me="teams" href="/admin/teams">
              Teams
            </NavLink>
            <NavLink nav={nav} me="staff" href="/admin/staff">
              Staff
            </NavLink>
            <NavLink nav={nav} me="reconciliation" href="/admin/reconciliation">
              Reconciliation
            </NavLink>
          </>
        )}
      </nav>
      <div class="who">
        <span>
          {person.name} · <span class="muted">{person.via === 'sso' ? 'council account' : person.id}</span> · {ROLE_LABEL[person.role]}
          {teams ? ` · ${person.role === 'head-of-service' ? 'teams' : 'team'} ${teams}` : ''}
        </span>
        <a href="/account/feeds" class="small">
          Calendar feeds
        </a>
        {person.via === 'password' && (
          <a href="/account/password" class="small">
            Change password
          </a>
        )}
        <form method="post" action="/logout" class="inline">
          <input type="hidden" name="csrf" value={csrf ?? ''} />
          <button class="link">Sign out</button>
        </form>
      </div>
    </>
  );
}

/** A whole HTML document. */
export function page(title: string, body: ComponentChildren, ctx: PageContext = {}): string {
  return `<!doctype html>${render(
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {ctx.refresh !== undefined && <meta http-equiv="refresh" content={String(ctx.refresh)} />}
        <title>{`${title} · CaseClock`}</title>
        <link rel="stylesheet" href="/static/console.css" />
        <script src="/static/console.js" defer></script>
      </head>
      <body>
        {/* The first stop of the keyboard on every page: past the header's links to the page itself (WCAG 2.4.1). */}
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="bar">
          <a class="brand" href="/">
            CaseClock
          </a>
          <Header {...ctx} />
        </header>
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {body}
        </main>
        <footer>Times are UK local time. Every change is recorded on the case with who made it; every view of a case is recorded with who looked.</footer>
      </body>
    </html>,
  )}`;
}

export function Notice(props: { kind: 'ok' | 'error' | 'warn'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'ok' ? 'status' : 'alert'}>
      {props.children}
    </div>
  );
}
