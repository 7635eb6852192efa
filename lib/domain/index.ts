export { isRejection, reject, replay, type Decider, type Decision, type Rejection } from "./decider.ts";
