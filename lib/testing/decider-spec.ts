import { expect } from "bun:test";
import { type Decider, isRejection, replay } from "../domain/index.ts";

/**
 * Given / when / then for a decider, with no database (emmett's DeciderSpecification):
 *
 *   const spec = deciderSpec(paymentDecider);
 *   spec.given([chargeRequested]).when(chargeSucceeded).then([paymentCompleted]);
 *   spec.given({ state }).when(input).thenRejects("payment.not_charged");
 *
 * `given` takes the events that happened (folded with `evolve`) or a state as it was loaded.
 */
export function deciderSpec<State, Input, Event>(decider: Decider<State, Input, Event>) {
  return {
    given(history: Event[] | { state: State }) {
      const state = Array.isArray(history) ? replay(decider, history) : history.state;
      return {
        when(input: Input) {
          const decision = decider.decide(input, state);
          return {
            /** Exactly these events (toEqual: order and content). */
            then(expected: Event[]) {
              if (isRejection(decision)) throw new Error(`expected events, got the rejection ${decision.rejected}: ${decision.reason}`);
              expect(decision).toEqual(expected);
            },
            /** Accepted, and nothing follows (a duplicate or a late event). */
            thenNothing() {
              expect(decision).toEqual([]);
            },
            thenRejects(code: string) {
              if (!isRejection(decision)) throw new Error(`expected the rejection ${code}, got ${JSON.stringify(decision)}`);
              expect(decision.rejected).toBe(code);
            },
            /** The state once the decided events are folded in. */
            thenState(expected: State) {
              if (isRejection(decision)) throw new Error(`expected a new state, got the rejection ${decision.rejected}`);
              expect(replay(decider, decision, state)).toEqual(expected);
            },
          };
        },
      };
    },
  };
}
