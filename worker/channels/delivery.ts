/**
 * How one call to a platform's API went, on every channel. `retry`: the platform is down, slow or
 * asks us to wait (network error, 5xx, 429 / rate limited) — worth trying again, after `afterMs`
 * when it says. `failed`: it will not work later either (the user blocked the bot, the chat is
 * gone, a bad request). A retry may be `held`: the platform refuses it until something else happens
 * (WhatsApp's 24-hour window reopens when the user writes); it is kept like any retry and the
 * hold is audited once, saying why.
 */
export type Delivery =
  { kind: "sent" } | { kind: "retry"; afterMs: number | null; detail: string; held?: string } | { kind: "failed"; detail: string };
