import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A team's Cloudflare Access certs endpoint (`https://<team>/cdn-cgi/access/certs`), locally:
 * `GET <root>/<set>/cdn-cgi/access/certs` answers `{"keys":[…],"public_cert":…,"public_certs":[…]}`
 * as Access does, with the public JWKs a test put there (`PUT` the same path, `{"keys":[…]}`).
 * Each test picks its own `<set>`, so tests sharing the stand-in never see each other's keys.
 * Counts fetches per set, so a test can see the gateway asked.
 */
export class JwksStandIn {
  private readonly sets = new Map<string, unknown[]>();
  readonly fetches = new Map<string, number>();
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const set = /^\/([a-z0-9-]{1,64})\/cdn-cgi\/access\/certs$/.exec(request.url ?? "")?.[1];
        if (!set) return void response.writeHead(404).end();
        if (request.method === "PUT") {
          const { keys } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { keys: unknown[] };
          this.sets.set(set, keys);
          return void response.writeHead(204).end();
        }
        this.fetches.set(set, (this.fetches.get(set) ?? 0) + 1);
        const keys = this.sets.get(set) ?? [];
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ keys, public_cert: { kid: "", cert: "" }, public_certs: [] }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
