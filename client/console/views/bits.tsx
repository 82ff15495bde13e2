/** Small pieces several screens share: a tier badge, a deadline with its live countdown. */
import { localTime } from '../../../activities/render-message';
import { tierLabel } from '../../../domain/labels';
import { dueIn } from '../../../domain/wording';

export function TierBadge({ tier }: { tier: string | null | undefined }) {
  const t = tier && tier !== '' ? tier : 'UNRATED';
  return <span class={`tier tier-${t}`}>{t === 'UNRATED' ? 'Not rated' : tierLabel(t)}</span>;
}

/** A deadline: UK local time and how soon or late, in the one wording (updated live by /static/console.js). */
export function Deadline({ dueAt, now }: { dueAt: string; now: string }) {
  return (
    <>
      <span class="due">{localTime(dueAt)}</span>
      <br />
      <time class={`countdown${dueAt <= now ? ' late' : ''}`} datetime={dueAt} data-countdown>
        {dueIn(dueAt, now)}
      </time>
    </>
  );
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
