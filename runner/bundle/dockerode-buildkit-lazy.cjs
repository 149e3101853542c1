// dockerode's followProgress requires its BuildKit progress decoder (protobufjs, 70 modules)
// when called; the runner never calls it (it uses docker.modem.followProgress). In the bundled
// runner this stand-in loads the real module from the project's node_modules if it is ever
// called, so protobufjs is not in the bundle the runner parses and keeps in memory.
/* global module, require, __DRAWBRIDGE_ROOT__ */
"use strict";
module.exports = {
  followProgress(...args) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose: a require that runs only when called
    return require(require.resolve("dockerode/lib/buildkit.js", { paths: [__DRAWBRIDGE_ROOT__] })).followProgress(...args);
  },
};
