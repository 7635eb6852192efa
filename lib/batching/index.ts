export { createGroupCommit, type GroupCommit, type GroupCommitOptions, type Settled } from "./group-commit.ts";
