import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerSandbox } from "../../runner/sandbox/docker-sandbox.js";
import { engineClient } from "../../runner/sandbox/engine-client.js";
import { ensureSandboxImage, SANDBOX_IMAGE } from "../../runner/sandbox/sandbox-image.js";
import { tempDir, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

// A warm tool call costs the engine what a raw `docker exec` does: create the exec, attach to it,
// read its exit code, over connections the runner keeps open; no container inspect on the way.
const runner = uniqueRunner("warmreq");
const state = await tempDir("warmreq");
const docker = engineClient();
const requests: string[] = [];
let connections = 0;

const dial = docker.modem.dial.bind(docker.modem);
docker.modem.dial = (options, callback) => {
  requests.push(`${options.method ?? "GET"} ${options.path.replace(/[0-9a-f]{64}/g, "<id>").replace(/\?.*$/, "")}`);
  dial(options, callback);
};
const agent = (docker.modem as unknown as { agent: http.Agent }).agent;
const connect = agent.createConnection.bind(agent);
agent.createConnection = (options, callback) => {
  connections++;
  return connect(options, callback);
};
const sandbox = new DockerSandbox({ docker, image: SANDBOX_IMAGE, runner, settings: testSettings(state.path) });

beforeAll(() => ensureSandboxImage(docker), 120_000);
afterAll(async () => {
  await sandbox.removeAll();
  await state.remove();
});

describe("a warm call's requests to the Docker engine", () => {
  it("are the exec's own three, with one new connection for its attached stream and none for the rest", async () => {
    expect((await sandbox.exec("warm", "true", 10_000)).exitCode).toBe(0);
    const calls = 5;
    requests.length = 0;
    connections = 0;
    for (let i = 0; i < calls; i++) expect((await sandbox.exec("warm", "echo $((1+1))", 10_000)).stdout).toBe("2\n");
    const oneCall = ["POST /containers/<id>/exec", "POST /exec/<id>/start", "GET /exec/<id>/json"];
    expect(requests).toEqual(Array.from({ length: calls }, () => oneCall).flat());
    // The attached stream is upgraded to a raw socket and cannot go back to the pool; everything else reuses one.
    expect(connections).toBeLessThanOrEqual(calls + 1);
  }, 60_000);
});
