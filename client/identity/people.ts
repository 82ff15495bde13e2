/**
 * How people are shown. A password account is shown by its user id, as it always was. Someone who
 * signs in through single sign-on has an id no one reads (`sso.` and a hash of issuer and subject):
 * they are shown by the name the identity provider gave at their last sign-in, marked as a council
 * account, so a name chosen at the provider is never mistaken for a password account.
 */
import { isSsoUserId } from '../../common/sso-identity';
import type { ConsoleStore } from '../../store/console-store';
import type { Person } from './access';

export const COUNCIL_ACCOUNT = 'council account';

/** How the signed-in person is named to themselves and in messages. */
export const signedInLabel = (person: Pick<Person, 'id' | 'name' | 'via'>): string => (person.via === 'sso' ? `${person.name} (${COUNCIL_ACCOUNT})` : person.id);

/** Names for these user ids, as `shown(id)`; single sign-on names are read from the console store. */
export async function peopleShown(store: Pick<ConsoleStore, 'ssoAccess'>, ids: Iterable<string | undefined>): Promise<(id: string) => string> {
  const sso = [...new Set([...ids].filter((id): id is string => id !== undefined && isSsoUserId(id)))];
  const known = sso.length > 0 ? await store.ssoAccess(sso) : new Map<string, { name?: string }>();
  return (id) => {
    if (!isSsoUserId(id)) return id;
    const name = known.get(id)?.name;
    return name ? `${name} (${COUNCIL_ACCOUNT})` : `a ${COUNCIL_ACCOUNT} (${id})`;
  };
}
