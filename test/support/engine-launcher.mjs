#!/usr/bin/env node
// A Docker engine launcher the fresh-machine test controls, started by `npm start` in place of
// `dockerd` (DRAWBRIDGE_DOCKERD). Like dockerd it keeps running in the background and, after a
// moment, answers on the socket DOCKER_HOST names — by relaying to the machine's real engine.
import { createConnection, createServer } from "node:net";
import { rmSync, writeFileSync } from "node:fs";

const host = process.env.DOCKER_HOST ?? "";
if (!host.startsWith("unix://")) {
  console.error(`engine-launcher: DOCKER_HOST must be a unix:// socket, got ${JSON.stringify(host)}`);
  process.exit(2);
}
const path = host.slice("unix://".length);
const engine = process.env.ENGINE_LAUNCHER_TARGET ?? "/var/run/docker.sock";
if (process.env.ENGINE_LAUNCHER_PIDFILE) writeFileSync(process.env.ENGINE_LAUNCHER_PIDFILE, String(process.pid));
console.log(`engine-launcher: starting (pid ${process.pid})`);

// A real engine takes a while before its socket answers; so does this one.
setTimeout(() => {
  rmSync(path, { force: true });
  const server = createServer((client) => {
    const upstream = createConnection(engine);
    for (const socket of [client, upstream]) socket.on("error", () => socket.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(path, () => console.log(`engine-launcher: API listening on ${path}`));
}, 1500);
process.on("SIGTERM", () => {
  rmSync(path, { force: true });
  process.exit(0);
});
