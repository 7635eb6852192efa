export { createRecordingNotifier, type RecordingNotifier } from "./recording.ts";
export type { Notifier } from "./types.ts";
