/** An answer for the person: a status and a message for the page (never a stack trace). */
export class ConsoleHttpError extends Error {
  override name = 'ConsoleHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const ERROR_TITLES: Record<number, string> = {
  400: 'Not accepted',
  401: 'Signed out',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Not allowed',
  409: 'Refused',
  410: 'Closed',
  413: 'Too much',
  415: 'Not a form',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'No answer',
};
