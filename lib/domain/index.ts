export { type Decider, type Decision, isRejection, reject, type Rejection, replay } from "./decider.ts";
