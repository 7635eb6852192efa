import { AppError } from "../errors/index.ts";
import { GatewayErrorCode, type PaymentGateway } from "./types.ts";

/**
 * Faults the sandbox injects into every call (charge, refund, lookup), as a network between us and
 * a processor has them. Of all calls, `errorRate` are refused before anything happens (503,
 * retryable) and `timeoutRate` time out; half of those timeouts lose the request on its way (nothing
 * happened), half lose the answer on its way back (the charge or refund WAS made, and a retry or a
 * lookup with the same key finds it): the caller cannot tell which. Draws come from `seed`, so a
 * run can be repeated.
 */
export type SandboxFaults = { timeoutRate: number; errorRate: number; seed: number };

type Env = Record<string, string | undefined>;

/**
 * PAYMENT_SANDBOX_TIMEOUT_RATE and PAYMENT_SANDBOX_ERROR_RATE (each 0 to 1, 0 when unset, together
 * at most 1) and PAYMENT_SANDBOX_SEED (an integer, default 1); undefined when both rates are 0.
 */
export function sandboxFaultsFromEnv(env: Env): SandboxFaults | undefined {
  const timeoutRate = rate(env, "PAYMENT_SANDBOX_TIMEOUT_RATE");
  const errorRate = rate(env, "PAYMENT_SANDBOX_ERROR_RATE");
  if (timeoutRate + errorRate > 1) throw invalid("PAYMENT_SANDBOX_TIMEOUT_RATE + PAYMENT_SANDBOX_ERROR_RATE must be at most 1");
  const seedText = env.PAYMENT_SANDBOX_SEED || "1";
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) throw invalid(`PAYMENT_SANDBOX_SEED must be an integer, not "${seedText}"`);
  return timeoutRate + errorRate === 0 ? undefined : { timeoutRate, errorRate, seed };
}

/** The gateway with `faults` in front of each call. */
export function withFaults(gateway: PaymentGateway, faults: SandboxFaults): PaymentGateway {
  const draw = seededRandom(faults.seed);
  const faulty =
    <A, R>(call: (argument: A) => Promise<R>) =>
    async (argument: A): Promise<R> => {
      const fate = draw();
      if (fate < faults.errorRate) throw new AppError(GatewayErrorCode.unavailable, "sandbox: the processor is unavailable (injected)", { status: 503, retryable: true });
      if (fate >= faults.errorRate + faults.timeoutRate) return call(argument);
      // The answer lost on its way back: the call happened, whatever it answered.
      if (draw() < 0.5) await call(argument).catch(() => undefined);
      throw new AppError(GatewayErrorCode.timeout, "sandbox: the processor did not answer in time (injected)", { status: 504, retryable: true });
    };
  return { charge: faulty(gateway.charge), refund: faulty(gateway.refund), lookup: faulty(gateway.lookup) };
}

/** mulberry32: small, fast and good enough to spread faults; the same seed gives the same draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rate(env: Env, name: string): number {
  const text = env[name];
  if (text === undefined || text === "") return 0;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw invalid(`${name} must be a number from 0 to 1, not "${text}"`);
  return value;
}

function invalid(message: string): AppError {
  return new AppError("config.invalid", message);
}
