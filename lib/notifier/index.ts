export { createRecordingNotifier, defaultRememberedKeys, type RecordingNotifier, type RecordingNotifierOptions } from "./recording.ts";
export type { Notifier } from "./types.ts";
