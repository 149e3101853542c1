declare module "cloudflare:test" {
  // The documented way to type `env` from cloudflare:test as the Worker's own Env.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ProvidedEnv extends Env {}
}
