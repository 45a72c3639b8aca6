/**
 * How a recorded history is kept on disk: protobufjs' own plain-object form (int64 and bytes as strings,
 * enums by name), via @temporalio/proto's History type. Not `historyToJSON` / `historyFromJSON` from
 * @temporalio/common: with the protobufjs copies npm nests under @temporalio/common and @temporalio/proto,
 * their protojson refuses the other copy's types ("type must be a Type").
 */
import type { History } from '@temporalio/common/lib/proto-utils';
import proto from '@temporalio/proto';

const HistoryType = proto.temporal.api.history.v1.History;

export function historyToFixture(history: History): string {
  return `${JSON.stringify(HistoryType.toObject(HistoryType.fromObject(history), { longs: String, enums: String, bytes: String }), null, 1)}\n`;
}

export function historyFromFixture(text: string): History {
  return HistoryType.fromObject(JSON.parse(text));
}
