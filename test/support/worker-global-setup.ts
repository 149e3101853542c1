import type { TestProject } from "vitest/node";
import { BotApiStandIn } from "./bot-api-standin.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Root URL of the Bot API stand-in; `GET <root>/__standin/calls` lists what was sent. */
    botApiRoot: string;
  }
}

/** Starts one Bot API stand-in for the Worker suite (workerd cannot listen on a port itself). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standIn = new BotApiStandIn();
  project.provide("botApiRoot", await standIn.start());
  return () => standIn.stop();
}
