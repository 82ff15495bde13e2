/**
 * The case actions moved to client/actions/ (the command line builds its commands from them too);
 * this path stays so the console's imports keep working.
 */
export * from '../actions/case-actions';
