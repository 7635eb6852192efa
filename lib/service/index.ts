export { defineService, type RunningService, type ServiceDefinition } from "./definition.ts";
