import { sessionRunner } from "../../shared/sessions/runner-routing.js";
import type { GatewayConfig } from "../config.js";
import { homeModelFetch } from "../tunnel/home-model-fetch.js";

/** The `home` provider's transport: the runner serving this session relays to the model on its own loopback. */
export function homeModelFetchFor(env: Env, config: GatewayConfig, session: string): typeof fetch {
  return homeModelFetch(env, sessionRunner(config.access.runners, config.defaultRunner, session));
}
