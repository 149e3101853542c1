declare module "vitest" {
  export interface ProvidedContext {
    /** Root URL of the Bot API stand-in started by test/support/worker-global-setup.ts. */
    botApiRoot: string;
  }
}
export {};
