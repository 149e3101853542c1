import http from "node:http";
import https from "node:https";
import Docker from "dockerode";

/** What docker-modem resolved from DOCKER_HOST and friends (untyped in @types/docker-modem), and the agent it dials with. */
type ModemSettings = { protocol?: string; socketPath?: unknown; agent?: http.Agent };

/**
 * The runner's Docker Engine API client, on one kept-alive agent: a call's exec create and exec
 * inspect reuse an open connection to the engine instead of opening one each (only the exec's
 * attached stream, which the engine upgrades to a raw socket, takes its own). Node 20's global
 * agent keeps connections alive as well; this makes it the runner's own setting, not a default
 * another module could change. Where the engine is comes from DOCKER_HOST, as dockerode reads it.
 */
export function engineClient(): Docker {
  const docker = new Docker();
  const modem = docker.modem as unknown as ModemSettings;
  // Over ssh dockerode dials through its own agent; over TLS the agent must speak https.
  if (modem.protocol === "ssh") return docker;
  const options = { keepAlive: true, maxFreeSockets: 4 };
  modem.agent = modem.protocol === "https" && !modem.socketPath ? new https.Agent(options) : new http.Agent(options);
  return docker;
}
