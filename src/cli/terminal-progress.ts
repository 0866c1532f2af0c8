import cliProgress from "cli-progress";
import type { DownloadProgressListener } from "../inference/model-resolution/hub-download.js";

/** A cli-progress bar on stderr for model downloads (one bar per file). */
export function createTerminalProgress(): DownloadProgressListener {
  let bar: cliProgress.SingleBar | undefined;
  let received = 0;
  return {
    start(file, total) {
      received = 0;
      bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: `downloading ${file} [{bar}] {percentage}% {value}/{total} MB`, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total === undefined ? 0 : Math.ceil(total / 1e6), 0);
    },
    advance(bytes) {
      received += bytes;
      bar?.update(Math.floor(received / 1e6));
    },
    finish() {
      bar?.stop();
      bar = undefined;
    },
  };
}
