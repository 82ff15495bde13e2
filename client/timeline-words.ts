/**
 * A case's timeline in words, as the console's case page and `caseclock show` list it: events and
 * messages described again from their data (the summary the store keeps beside them uses codes:
 * "Escalation level 2 sent to head-of-service (cic-review-second)"), people by name and role as the
 * case names them ("Hal Head (head of service)"), and obligations by their one name
 * (domain/obligation-names.ts). Entries with no data of their own (notes) are shown as stored, a
 * role's code at their start put in words.
 */
import { describeCaseEvent, personLabel, ROLE_LABELS } from '../domain/labels';
import { localTime } from '../domain/wording';
import { describeMessageKind, type TimelineEntry } from '../workflows/messages';

/** The people a case names, by role. */
type Contacts = Partial<Record<string, { name: string }>>;

/** Names an obligation by id, or by kind alone (domain/obligation-names.ts). */
export type NameObligation = (obligationIdOrKind: string, kind?: string) => string;

const capital = (text: string) => text.replace(/^./, (c) => c.toUpperCase());

/** A role's code where a stored note has one ("team-manager reassigned", "Reminder to allocated-worker withdrawn ..."), in words. */
function rolesInWords(text: string, contacts: Contacts): string {
  return text.replace(/\b([a-z]+(?:-[a-z]+)*)\b/g, (word: string) => (Object.prototype.hasOwnProperty.call(ROLE_LABELS, word) ? personLabel(word, contacts) : word));
}

export function timelineText(t: TimelineEntry, contacts: Contacts, name: NameObligation): string {
  if (t.event) return describeCaseEvent(t.event, { localTime, obligationTitle: (id) => name(id) });
  const d = t.delivery;
  if (d) {
    const about = d.obligationId ? `: ${name(d.obligationId, d.kind)}` : d.kind ? `: ${name(d.kind, d.kind)}` : '';
    const who = personLabel(d.role, contacts);
    return d.outcome === 'delivered' ? `${describeMessageKind(d)} sent to ${who}${about}` : `${describeMessageKind(d)} to ${who} could not be delivered (${d.reason ?? 'unknown reason'})${about}`;
  }
  // "team-manager reassigned" reads "Tess Manager (team manager) reassigned" once the case names them.
  return capital(rolesInWords(t.summary, contacts));
}
