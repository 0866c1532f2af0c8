import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { OpenRerankError } from "../../errors/catalog.js";

/** Where and how to reach a Hugging Face hub (or a mirror serving the same file tree). */
export interface HubSettings {
  /** Base URL, e.g. `https://huggingface.co` (env `HF_ENDPOINT`). */
  endpoint: string;
  /** Bearer token for gated or private repositories (env `HF_TOKEN`). Never logged. */
  token?: string;
  /** Branch, tag or commit to download (default `main`). */
  revision: string;
}

/** Reports bytes as a download progresses; `total` is undefined when the server sends no length. */
export interface DownloadProgressListener {
  start(file: string, total: number | undefined): void;
  advance(bytes: number): void;
  finish(): void;
}

export function fileUrl(hub: HubSettings, repoId: string, file: string): string {
  const base = hub.endpoint.replace(/\/+$/, "");
  return `${base}/${repoId}/resolve/${encodeURIComponent(hub.revision)}/${file}`;
}

/**
 * Downloads one file of a hub repository into `destination`. Returns false when the hub
 * answers 404 (the file does not exist in that repository), true when written. The file is
 * written under a temporary name and renamed, so an interrupted download never leaves a
 * truncated file that a later run would mistake for a complete one.
 */
export async function downloadHubFile(
  hub: HubSettings,
  repoId: string,
  file: string,
  destination: string,
  progress?: DownloadProgressListener,
): Promise<boolean> {
  const url = fileUrl(hub, repoId, file);
  let response: Response;
  try {
    response = await fetch(url, { headers: hub.token ? { authorization: `Bearer ${hub.token}` } : {}, redirect: "follow" });
  } catch (error) {
    throw new OpenRerankError(
      "model_download_failed",
      `could not reach ${url} to download ${repoId}/${file}: ${(error as Error).message}. Check the network or HF_ENDPOINT, or place the model files in a models directory and run offline.`,
      { url, repoId, file },
      { cause: error },
    );
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return false;
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    const hint = response.status === 401 || response.status === 403 ? " The repository may be gated or private: set HF_TOKEN." : "";
    throw new OpenRerankError(
      "model_download_failed",
      `downloading ${repoId}/${file} from ${url} failed with HTTP ${response.status}.${hint}`,
      { url, repoId, file, status: response.status },
    );
  }

  await mkdir(path.dirname(destination), { recursive: true });
  const partial = `${destination}.partial-${process.pid}`;
  const lengthHeader = response.headers.get("content-length");
  progress?.start(file, lengthHeader === null ? undefined : Number(lengthHeader));
  try {
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
    if (progress) body.on("data", (chunk: Buffer) => progress.advance(chunk.length));
    await pipeline(body, createWriteStream(partial));
    await rename(partial, destination);
  } catch (error) {
    await rm(partial, { force: true });
    throw new OpenRerankError(
      "model_download_failed",
      `downloading ${repoId}/${file} from ${url} was interrupted: ${(error as Error).message}`,
      { url, repoId, file },
      { cause: error },
    );
  } finally {
    progress?.finish();
  }
  return true;
}
