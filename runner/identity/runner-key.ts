import { randomUUID } from "node:crypto";
import { open, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { mkdir } from "node:fs/promises";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from "jose";
import { ROTATION_JWT_TYPE, RUNNER_JWT_TYPE, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";

export class RunnerKeyError extends Error {
  override readonly name = "RunnerKeyError";
}

export type RunnerKey = { kid: string; publicJwk: JWK; privateKey: CryptoKey };

/** Creates a new Ed25519 key file (mode 0600). Refuses to overwrite: a lost key means re-registering. */
export async function generateRunnerKey(path: string): Promise<RunnerKey> {
  const { privateKey } = await generateKeyPair("Ed25519", { extractable: true });
  const jwk = await exportJWK(privateKey);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let handle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new RunnerKeyError(`${path} already exists; refusing to overwrite a runner key (move it away first if you mean to replace it)`);
    }
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(jwk, null, 2) + "\n");
  } finally {
    await handle.close();
  }
  return loadRunnerKey(path);
}

/** Loads the key file, refusing one that other users can read (like ssh does). */
export async function loadRunnerKey(path: string): Promise<RunnerKey> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new RunnerKeyError(`no runner key at ${path}; create one with \`drawbridge runner keygen\``);
  }
  if ((info.mode & 0o077) !== 0) {
    throw new RunnerKeyError(`${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``);
  }
  const jwk = JSON.parse(await readFile(path, "utf8")) as JWK;
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.d || !jwk.x) {
    throw new RunnerKeyError(`${path} is not an Ed25519 private key (JWK)`);
  }
  const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const privateKey = (await importJWK(jwk, "EdDSA")) as CryptoKey;
  return { kid: await calculateJwkThumbprint(publicJwk, "sha256"), publicJwk, privateKey };
}

/** The hello token: proves possession of the key by signing the gateway's nonce, valid 60 s. */
export async function signHelloToken(key: RunnerKey, runner: string, nonce: string): Promise<string> {
  return new SignJWT({ nonce })
    .setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid: key.kid })
    .setAudience(TUNNEL_AUDIENCE)
    .setSubject(runner)
    .setIssuedAt()
    .setExpirationTime("60s")
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** A rotation request: the current key vouches for the next one (valid 60 s, single use). */
export async function signRotationToken(current: RunnerKey, runner: string, next: JWK): Promise<string> {
  return new SignJWT({ newKey: { kty: next.kty, crv: next.crv, x: next.x } })
    .setProtectedHeader({ alg: "EdDSA", typ: ROTATION_JWT_TYPE, kid: current.kid })
    .setAudience(TUNNEL_AUDIENCE)
    .setSubject(runner)
    .setIssuedAt()
    .setExpirationTime("60s")
    .setJti(randomUUID())
    .sign(current.privateKey);
}
