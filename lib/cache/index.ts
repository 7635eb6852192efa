export { BoundedMap } from "./bounded-map.ts";
export { perObject } from "./per-object.ts";
