/**
 * What the directory pages (/admin/staff, /admin/teams) share: each entry's Edit and Remove, and a
 * directory's refusal (store/directory.ts) read as the page answers it: a key that is no valid one
 * is an entry not there, bad input is the form again with the fields marked.
 */
import type { FieldErrors } from '../../actions/fields';
import { DirectoryInvalid } from '../../../store/directory';

/** An entry's Edit link and Remove button, under `base` (`/admin/staff`) and the entry's key. */
export function EntryActions(props: { base: string; entry: string; csrf: string }) {
  const { base, entry, csrf } = props;
  return (
    <td class="nowrap">
      <a href={`${base}?edit=${encodeURIComponent(entry)}`}>Edit</a>{' '}
      <form method="post" action={`${base}/${encodeURIComponent(entry)}/remove`} class="inline">
        <input type="hidden" name="csrf" value={csrf} />
        <button class="small">Remove</button>
      </form>
    </td>
  );
}

/** The entry a look-up found; none when the key was refused (it cannot name an entry). */
export const foundOrNone = <T,>(lookup: Promise<T | undefined>): Promise<T | undefined> =>
  lookup.catch((err: unknown) => {
    if (err instanceof DirectoryInvalid) return undefined;
    throw err;
  });

/** Whether a removal took an entry out; false when the key was refused (it cannot name an entry). */
export const removedOrNot = (removal: Promise<boolean>): Promise<boolean> =>
  removal.catch((err: unknown) => {
    if (err instanceof DirectoryInvalid) return false;
    throw err;
  });

/** The entry saved, or the refusal as the form's field errors. */
export const savedOrErrors = <T,>(save: Promise<T>): Promise<{ saved: T } | { errors: FieldErrors }> =>
  save.then(
    (saved) => ({ saved }),
    (err: unknown) => {
      if (err instanceof DirectoryInvalid) return { errors: { [err.field]: err.problem } };
      throw err;
    },
  );
