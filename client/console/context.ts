/**
 * What the console's app (app.tsx) and its route modules (routes/) share: the options the console
 * is created with, the context each route group is given, how a form body and a query are read, and what the
 * console adds to Fastify's request and session. Its own module so the routes never import app.tsx,
 * which imports them.
 */
import type { Client } from '@temporalio/client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { z } from 'zod';
import type { Readiness } from '../../common/health';
import type { Logger } from '../../common/log';
import type { CaseRecordStore } from '../../store/case-record-store';
import type { CaseSummaries } from '../../store/case-summaries';
import type { ConsoleStore } from '../../store/console-store';
import type { FeedStore } from '../../store/feed-store';
import type { StaffDirectory } from '../../store/staff-directory';
import type { SsdSyncStore } from '../../store/ssd-sync-store';
import type { TeamDirectory } from '../../store/team-directory';
import type { KnownTeams } from '../../common/teams';
import type { Person } from '../identity/access';
import type { UserDirectory } from '../identity/auth';
import type { SessionLimits, SignedIn } from '../identity/session';
import type { FieldErrors } from '../actions/fields';
import type { SummaryMail } from '../../common/arrival-summary';
import type { ReconciliationSources } from '../reconciliation';
import type { TeamFeed } from '../unmapped-teams';
import type { OidcSignIn } from './oidc';
import type { ApiOptions } from './api/routes';
import type { Nav } from './views/layout';

declare module 'fastify' {
  interface Session extends Partial<SignedIn> {
    _csrf?: string;
    /** Single sign-on in progress: what the callback must match. */
    oidc?: { state: string; nonce: string; codeVerifier: string; next: string };
  }
  interface FastifyRequest {
    /** The signed-in person (set for every page that needs one). */
    person: Person | null;
  }
}

export interface ConsoleOptions {
  client: Client;
  /** The case-record store: the KPI reads obligation outcomes from it, the case pages their timeline. */
  store: CaseRecordStore;
  /** The cases' summaries in the same store: the case list, dashboard and case pages read them (never a workflow). */
  summaries: CaseSummaries;
  /** Sessions, failed sign-ins and the record of views, shared by every replica. */
  consoleStore: ConsoleStore;
  /** Private calendar feeds (routes/feeds.tsx); without it the feed pages say they are not configured. */
  feedStore?: FeedStore;
  /**
   * The team directory (routes/admin.tsx keeps it; cases, incidents and imports are checked
   * against it, common/teams.ts). Without it every team is accepted and /admin/teams says so.
   */
  teams?: TeamDirectory;
  /**
   * The case system's teams, read when /admin/teams is asked for, while the SSD sync is configured:
   * the page lists those the directory does not yet (client/unmapped-teams.ts). Without it the
   * page has no such section.
   */
  teamFeed?: TeamFeed;
  /** The staff directory (routes/staff.tsx keeps it; docs/staff.md). Without it /admin/staff says it is not configured. */
  staff?: StaffDirectory;
  /** The reconciliation with the case system (routes/reconciliation.tsx), while the SSD sync is configured; without it the page says it is not. */
  reconciliation?: ReconciliationSources;
  /**
   * The SSD sync's runs, read with the console's role, and CASECLOCK_SSD_INTERVAL in seconds: once
   * the sync has run, the dashboard, case list and case page say when the case system was last read
   * (freshness.tsx). Without it, or before any run, they say nothing of it.
   */
  ssdSync?: { store: Pick<SsdSyncStore, 'recentRuns' | 'lastSuccess'>; intervalSeconds: number };
  users: UserDirectory;
  /** Signs the session cookie; at least 32 characters. */
  sessionSecret: string;
  limits: SessionLimits;
  /** The console's public URL: https turns on Secure cookies and Strict-Transport-Security. */
  publicUrl?: string;
  /** Single sign-on through the council's identity provider, when configured. */
  sso?: OidcSignIn;
  /** Trust X-Forwarded-For from this proxy (address, CIDR or hop count), for addresses in logs and throttles. */
  trustProxy?: string | boolean;
  /** CASECLOCK_POLICY: the policy a new case gets when "Configured default" is chosen. */
  configuredPolicy?: string;
  /**
   * The import page (routes/import.tsx): where escalations already due when imported cases arrive
   * are held and how their one summary email per recipient is sent (the link in it is publicUrl).
   * Without it each imported case sends its own.
   */
  importSummaries?: Omit<SummaryMail, 'consoleUrl'>;
  /** Task queue new cases and incidents start on (tests); default the production queue. */
  taskQueue?: string;
  /** How long a page waits for Temporal (and the case's worker). */
  answerTimeoutMs?: number;
  /** The logger requests log through (component "console"); default the process logger. */
  logger?: Logger;
  /** A level of its own for the console's lines ('silent' in tests); default the logger's. */
  logLevel?: 'silent' | 'info' | 'warn' | 'error' | 'debug';
  /** What /readyz checks (main.ts: Temporal and the store); omitted: Temporal through `client`. */
  readiness?: () => Promise<Readiness>;
  /** The integration API at /api/v1 (api/routes.ts, docs/api.md), when an identity provider is configured for it. */
  api?: ApiOptions;
}

/** What route modules share: the options and a few helpers. */
export interface ConsoleContext {
  options: ConsoleOptions;
  /** Runs Temporal calls with a deadline, so a missing worker gives a page, not a hung browser. */
  ask<T>(fn: () => Promise<T>): Promise<T>;
  /** Sends a whole page. */
  sendPage(request: FastifyRequest, reply: FastifyReply, status: number, title: string, body: ComponentChildren, nav?: Nav): FastifyReply;
  /** A fresh CSRF token for a form on this page. */
  csrf(reply: FastifyReply): string;
  /** The signed-in person (throws for a route that forgot the sign-in check). */
  person(request: FastifyRequest): Person;
  /** The team directory's teams, read now: what a new case's, incident's or imported row's team is checked against. */
  knownTeams(): Promise<KnownTeams>;
}

/** A form as the routes read it: one string per field (a repeated field counts once, the first). */
export type Form = Record<string, string>;
export function formOf(body: unknown): Form {
  const form: Form = {};
  if (body === null || typeof body !== 'object') return form;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') form[k] = first;
  }
  return form;
}

/** Query parameters without the blank ones (an empty filter box means "any"). */
export const queryValues = (query: unknown): Form => Object.fromEntries(Object.entries(formOf(query)).filter(([, v]) => v !== ''));

/** Each parameter a query schema refused → what is wrong with it, in words. */
export function queryErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) errors[String(issue.path[0] ?? '_form')] ??= issue.code === 'invalid_value' ? `must be one of: ${issue.values.join(', ')}` : issue.message;
  return errors;
}
