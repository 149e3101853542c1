// dockerode loads its BuildKit session support (gRPC, protobuf) when it loads, though only a
// `version: "2"` image build uses it. In the bundled runner this stand-in loads it from the
// project's node_modules when called (a runtime require, so none of it is in the bundle).
/* global module, require, __DRAWBRIDGE_ROOT__ */
"use strict";
module.exports = function withSession(...args) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose: a require that runs only when called
  return require(require.resolve("dockerode/lib/session.js", { paths: [__DRAWBRIDGE_ROOT__] }))(...args);
};
