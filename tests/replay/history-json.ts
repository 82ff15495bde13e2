/**
 * Workflow histories to and from Temporal's standard JSON (the format `temporal workflow show
 * --output json` writes), for the replay fixtures.
 *
 * Why not just `historyToJSON` / `historyFromJSON` from @temporalio/common? With SDK 1.24.0 and
 * npm's usual layout, @temporalio/common and @temporalio/proto each get a private copy of
 * protobufjs 8 (the root holds protobufjs 7 for @grpc/proto-loader), and the SDK functions throw
 * `TypeError: type must be a Type` (protojson's `instanceof Type` sees the other copy's class).
 * So these try the SDK first and, on that error only, use the protojson extension of the very
 * protobufjs copy that @temporalio/proto was built with.
 */
import path from 'node:path';
import * as proto from '@temporalio/proto';
import { historyFromJSON as sdkHistoryFromJSON, historyToJSON as sdkHistoryToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export type { History };

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

let fallback: { protojson: ProtoJson; historyType: unknown } | undefined;

/** protojson from the protobufjs copy @temporalio/proto resolves, with the History type of that root. */
function protoPackageJson(): { protojson: ProtoJson; historyType: unknown } {
  if (!fallback) {
    const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
    const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
    // The CommonJS module itself (under vitest, `import * as` is a namespace copy the patch cannot walk).
    const protoModule = require('@temporalio/proto') as typeof proto;
    const root = patchProtobufRoot(protoModule) as unknown as { lookupType(name: string): unknown };
    fallback = { protojson, historyType: root.lookupType('temporal.api.history.v1.History') };
  }
  return fallback;
}

const isCopyMismatch = (err: unknown) => err instanceof TypeError && err.message === 'type must be a Type';

/** A history as a plain JSON value (not a string). */
export function historyToJsonValue(history: History): unknown {
  try {
    return JSON.parse(sdkHistoryToJSON(history)) as unknown;
  } catch (err) {
    if (!isCopyMismatch(err)) throw err;
    const { protojson, historyType } = protoPackageJson();
    return protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
  }
}

/** A history from its JSON value, ready for `Worker.runReplayHistories`. */
export function historyFromJsonValue(json: unknown): History {
  try {
    return sdkHistoryFromJSON(json);
  } catch (err) {
    if (!isCopyMismatch(err)) throw err;
    if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
      throw new TypeError('not a workflow history: expected an object with an array of events');
    }
    const { protojson, historyType } = protoPackageJson();
    return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
  }
}
