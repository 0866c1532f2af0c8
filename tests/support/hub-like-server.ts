import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface HubLikeServer {
  endpoint: string;
  requests: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that serves `<root>/<org>/<name>/<file>` at the Hugging Face hub's
 * `/<org>/<name>/resolve/<revision>/<file>` URLs, 404 for anything missing, and 401 when a
 * required token is absent: enough of the hub to test downloads without the internet.
 */
export async function startHubLikeServer(root: string, options: { requireToken?: string } = {}): Promise<HubLikeServer> {
  const requests: HubLikeServer["requests"] = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? "", headers: request.headers });
    if (options.requireToken && request.headers.authorization !== `Bearer ${options.requireToken}`) {
      response.writeHead(401).end("unauthorized");
      return;
    }
    const match = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(request.url ?? "");
    const file = match ? path.join(root, match[1], decodeURIComponent(match[2])) : undefined;
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end("Entry not found");
      return;
    }
    response.writeHead(200, { "content-length": statSync(file).size });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
