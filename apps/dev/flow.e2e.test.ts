import { orderFlowScenarios } from "./flow.scenarios.ts";

orderFlowScenarios("embedded", async () => ({ config: {}, cleanup: async () => {} }));
