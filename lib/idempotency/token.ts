import type { ClaimToken } from "./types.ts";

/** 122 random bits: a late holder cannot guess the token of whoever claimed after it. */
export function newClaimToken(): ClaimToken {
  return crypto.randomUUID();
}
