/**
 * A service's rules as pure functions, in the style of emmett's deciders: `decide` turns an input
 * (a command, or an event another service published) and the current state into the events that
 * follow, or a rejection; `evolve` folds an event into the state. No I/O, no clock, no ids: what
 * they need arrives in the input. A handler loads the state, decides, and writes the result (the
 * conditional SQL stays as the concurrency guard); docs/architecture.md#domain-and-handlers.
 */
export type Decider<State, Input, Event> = {
  decide(input: Input, state: State): Decision<Event>;
  evolve(state: State, event: Event): State;
  initialState(): State;
};

/** Why an input changes nothing: a code for machines, a sentence for people. */
export type Rejection = { rejected: string; reason: string };
export type Decision<Event> = Event[] | Rejection;

export function reject(code: string, reason: string): Rejection {
  return { rejected: code, reason };
}

export function isRejection<Event>(decision: Decision<Event>): decision is Rejection {
  return !Array.isArray(decision);
}

/** The state after `events`, from the decider's initial state. */
export function replay<State, Input, Event>(decider: Decider<State, Input, Event>, events: Event[], from = decider.initialState()): State {
  return events.reduce((state, event) => decider.evolve(state, event), from);
}
