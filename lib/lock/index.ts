export { type FolderLock, LockErrorCode, lockDataDir, lockFolder } from "./folder-lock.ts";
