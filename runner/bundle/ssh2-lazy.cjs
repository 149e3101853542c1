// docker-modem requires ssh2 when it loads, though only an ssh:// DOCKER_HOST uses it. In the
// bundled runner this stand-in loads ssh2 from the project's node_modules when a client is made
// (a runtime require the bundler leaves alone, so ssh2 is not even in the bundle).
/* global module, require, __DRAWBRIDGE_ROOT__ */
"use strict";
module.exports = {
  Client: function Client(...args) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose: a require that runs only when called
    const { Client: Real } = require(require.resolve("ssh2", { paths: [__DRAWBRIDGE_ROOT__] }));
    return new Real(...args);
  },
};
