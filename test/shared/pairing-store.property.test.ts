import fc from "fast-check";
import { describe, it } from "vitest";
import { MemoryPairingRows } from "../../shared/access/pairing-store.js";
import { interleavingProperty } from "./pairing-interleaving.js";
import { modelProperty } from "./pairing-model.js";

// The same properties run against the Gatekeeper's SQLite rows in workerd (test/worker/pairing-store-sql.property.test.ts).
const memory = () => new MemoryPairingRows();

describe("pairing store against a model (acceptance 4)", () => {
  it("agrees with the model on every sequence of requests, owner decisions, challenge attempts and clock moves", async () => {
    await fc.assert(modelProperty(2, 6, { maxLength: 40 }, memory), { numRuns: 300 });
  });

  it("challenge: wrong attempts never pair, the cap blocks, the right code pairs exactly once (one sender, many tries)", async () => {
    await fc.assert(modelProperty(1, 2, { minLength: 10, maxLength: 60 }, memory), { numRuns: 300 });
  });

  it("never decides a code twice, pairs a wrong or expired code, or breaks a cap when operations interleave (fc.scheduler)", async () => {
    await fc.assert(interleavingProperty(memory), { numRuns: 300 });
  });
});
