import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findHomeModel, homeModelCandidates } from "../../runner/local-stack/find-home-model.js";
import { freePort } from "../support/free-port.js";
import { ModelStandIn } from "../support/model-standin.js";

// What `npm start` finds when no model is configured: a model server on this machine's loopback.
const standIn = new ModelStandIn();
let standInBase = "";
let silent: Server;
let silentBase = "";

beforeAll(async () => {
  standInBase = `${await standIn.start()}/v1`;
  // Accepts the connection and never answers: a wedged server must not hold up npm start.
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentBase = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await standIn.stop();
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

describe("finding a model server on loopback", () => {
  it("uses the first model a server lists at GET /v1/models", async () => {
    standIn.setModels(["llama3.2:latest", "qwen2.5:7b"]);
    expect(await findHomeModel([standInBase])).toEqual({ baseUrl: standInBase, model: "llama3.2:latest" });
  });

  it("finds nothing when nothing listens, and says so at once", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}/v1`;
    expect(await findHomeModel([nobody])).toBeNull();
  });

  it("gives up on a server that never answers, and still finds the one that does", async () => {
    standIn.setModels(["standin-model"]);
    const nobody = `http://127.0.0.1:${await freePort()}/v1`;
    expect(await findHomeModel([silentBase, nobody], 300)).toBeNull();
    expect(await findHomeModel([silentBase, standInBase], 300)).toEqual({ baseUrl: standInBase, model: "standin-model" });
  });

  it("skips a server that lists no model, or only ids the env file cannot carry", async () => {
    standIn.setModels([]);
    expect(await findHomeModel([standInBase])).toBeNull();
    standIn.setModels(["bad model", "it's", "ok-model"]);
    expect(await findHomeModel([standInBase])).toEqual({ baseUrl: standInBase, model: "ok-model" });
  });

  it("asks DRAWBRIDGE_HOME_MODEL_URL first, then Ollama and LM Studio, and never a host off this machine", () => {
    expect(homeModelCandidates({ DRAWBRIDGE_HOME_MODEL_URL: "http://127.0.0.1:8080/v1/" })).toEqual([
      "http://127.0.0.1:8080/v1",
      "http://127.0.0.1:11434/v1",
      "http://127.0.0.1:1234/v1",
    ]);
    expect(homeModelCandidates({})).toEqual(["http://127.0.0.1:11434/v1", "http://127.0.0.1:1234/v1"]);
    for (const elsewhere of ["http://192.168.1.20:11434/v1", "http://localhost.evil.example/v1", "http://169.254.169.254/v1"]) {
      expect(homeModelCandidates({ DRAWBRIDGE_HOME_MODEL_URL: elsewhere })).not.toContain(elsewhere);
    }
  });
});
