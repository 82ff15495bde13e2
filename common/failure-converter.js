'use strict';
/**
 * The failure converter of every CaseClock process when payload encryption is on, loaded by path
 * (DataConverter.failureConverterPath) in the worker, in the workflow sandbox and in clients.
 * It moves failure messages and stack traces into an encoded payload, so the payload codec
 * encrypts them too: an activity error or an update failure can quote case data.
 * Plain CommonJS on purpose: the SDK `require`s this file outside tsx (e.g. under vitest), and
 * the workflow bundler bundles it into workflow code, where Node built-ins are not allowed.
 */
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
