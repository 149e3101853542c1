import { env, runInDurableObject } from "cloudflare:test";
import type { Gatekeeper } from "../../worker/gatekeeper/gatekeeper.js";

/**
 * What every channel's test harness does with its account's Gatekeeper: wait until the inbox is empty
 * and every reply sent, read its queues, and move its business clock without sleeping.
 */
export class GatekeeperHarness {
  readonly gatekeeper: DurableObjectStub<Gatekeeper>;
  private offsetMs = 0;

  constructor(account: string) {
    this.gatekeeper = env.GATEKEEPER.get(env.GATEKEEPER.idFromName(account));
  }

  /** The inbox is empty and every reply has been sent (see GateHarness.settle). */
  async settle(): Promise<void> {
    await runInDurableObject(this.gatekeeper, async (instance: Gatekeeper) => {
      for (let attempt = 0; attempt < 3 && (attempt === 0 || instance.inboxDepth() !== 0); attempt++) await instance.drain();
      if (instance.inboxDepth() !== 0) throw new Error("the inbox did not drain");
    });
  }

  async inboxDepth(): Promise<number> {
    return await runInDurableObject(this.gatekeeper, (instance: Gatekeeper) => instance.inboxDepth());
  }

  async undelivered(): Promise<number> {
    return await runInDurableObject(this.gatekeeper, (instance: Gatekeeper) => instance.undeliveredReplies());
  }

  /** Moves the Gatekeeper's business clock without sleeping. */
  async advance(ms: number): Promise<void> {
    this.offsetMs += ms;
    const offset = this.offsetMs;
    await runInDurableObject(this.gatekeeper, (instance: Gatekeeper) => {
      instance.clock = () => Date.now() + offset;
    });
  }
}
