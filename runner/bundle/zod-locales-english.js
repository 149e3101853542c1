// zod's `locales` namespace, reduced to English for the bundled runner. zod re-exports every
// locale (about 50, 350 kB of source) through `z.locales`, and a bundle keeps them all because
// `z` is used as a namespace; the runner never switches locale, and English is zod's default.
export { default as en } from "zod/v4/locales/en.js";
