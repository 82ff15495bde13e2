/**
 * An answer within a deadline: `work`'s own, or the failure `late()` makes once `ms` have passed
 * without one. The work itself is not stopped (a caller that can stop it does so in `late`), and
 * its failure after the deadline is handled, not thrown again.
 */
export async function answerWithin<T>(ms: number, work: Promise<T>, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
